'use client'

import { useEffect, useState } from 'react'
import { format } from 'date-fns'
import { ptBR } from 'date-fns/locale'
import { useForm } from 'react-hook-form'
import { zodResolver } from '@hookform/resolvers/zod'
import { z } from 'zod'
import { Button } from '@/components/ui/button'
import { Calendar } from '@/components/ui/calendar'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { convenios, listarMedicos } from '@/lib/agenda'
import { cn } from '@/lib/utils'

const pacienteSchema = z.object({
  nome: z.string().min(3, 'Informe o nome completo'),
  cpf: z.string().regex(/^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$/, 'CPF inválido'),
  telefone: z.string().min(10, 'Telefone com DDD'),
  email: z.string().email('E-mail inválido'),
  convenio: z.string(),
})

type Paciente = z.infer<typeof pacienteSchema>

export function Agendamento() {
  const medicos = listarMedicos()
  const [medicoId, setMedicoId] = useState(medicos[0].id)
  const [data, setData] = useState<Date>()
  const [horarios, setHorarios] = useState<string[]>([])
  const [horario, setHorario] = useState<string>()
  const [protocolo, setProtocolo] = useState<string>()

  const {
    register,
    handleSubmit,
    setValue,
    formState: { errors, isSubmitting },
  } = useForm<Paciente>({ resolver: zodResolver(pacienteSchema), defaultValues: { convenio: 'Particular' } })

  useEffect(() => {
    setHorario(undefined)
    if (!data) return
    fetch(`/api/horarios?medico=${medicoId}&data=${format(data, 'yyyy-MM-dd')}`)
      .then((r) => r.json())
      .then((r) => setHorarios(r.horarios ?? []))
  }, [medicoId, data])

  const confirmar = async (paciente: Paciente) => {
    if (!data || !horario) return
    const resposta = await fetch('/api/agendamentos', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ medicoId, data: format(data, 'yyyy-MM-dd'), horario, paciente }),
    })
    const corpo = await resposta.json()
    if (resposta.ok) setProtocolo(corpo.protocolo)
  }

  if (protocolo) {
    return (
      <Card>
        <CardContent className="space-y-2 p-8 text-center">
          <h2 className="text-xl font-semibold">Consulta agendada!</h2>
          <p className="text-muted-foreground">
            Protocolo <span className="font-mono">{protocolo}</span> · {data && format(data, "EEEE, d 'de' MMMM", { locale: ptBR })} às {horario}
          </p>
          <p className="text-sm">Enviaremos a confirmação por WhatsApp um dia antes.</p>
        </CardContent>
      </Card>
    )
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Agende sua consulta</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={handleSubmit(confirmar)} className="grid gap-8 lg:grid-cols-2">
          <div className="space-y-4">
            <div className="grid gap-2">
              <Label>Profissional</Label>
              <Select value={medicoId} onValueChange={setMedicoId}>
                <SelectTrigger>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {medicos.map((m) => (
                    <SelectItem key={m.id} value={m.id}>
                      {m.nome} – {m.especialidade}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <Calendar
              mode="single"
              locale={ptBR}
              selected={data}
              onSelect={setData}
              disabled={(dia) => dia < new Date() || dia.getDay() === 0 || dia.getDay() === 6}
              className="rounded-md border"
            />
            {data && (
              <div className="space-y-2">
                <Label>Horários disponíveis</Label>
                {horarios.length === 0 ? (
                  <p className="text-sm text-muted-foreground">Sem horários neste dia. Escolha outra data.</p>
                ) : (
                  <div className="grid grid-cols-4 gap-2">
                    {horarios.map((h) => (
                      <button
                        type="button"
                        key={h}
                        onClick={() => setHorario(h)}
                        className={cn('rounded-md border py-1.5 text-sm', h === horario ? 'bg-primary text-primary-foreground' : 'hover:bg-muted')}
                      >
                        {h}
                      </button>
                    ))}
                  </div>
                )}
              </div>
            )}
          </div>

          <div className="space-y-4">
            <div className="grid gap-2">
              <Label htmlFor="nome">Nome completo</Label>
              <Input id="nome" {...register('nome')} />
              {errors.nome && <p className="text-sm text-destructive">{errors.nome.message}</p>}
            </div>
            <div className="grid gap-2">
              <Label htmlFor="cpf">CPF</Label>
              <Input id="cpf" placeholder="000.000.000-00" {...register('cpf')} />
              {errors.cpf && <p className="text-sm text-destructive">{errors.cpf.message}</p>}
            </div>
            <div className="grid gap-2">
              <Label htmlFor="telefone">Celular (WhatsApp)</Label>
              <Input id="telefone" type="tel" {...register('telefone')} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="email">E-mail</Label>
              <Input id="email" type="email" {...register('email')} />
            </div>
            <div className="grid gap-2">
              <Label>Convênio</Label>
              <Select defaultValue="Particular" onValueChange={(v) => setValue('convenio', v)}>
                <SelectTrigger>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {convenios.map((c) => (
                    <SelectItem key={c} value={c}>
                      {c}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <Button type="submit" className="w-full" disabled={!horario || isSubmitting}>
              {horario ? `Confirmar agendamento às ${horario}` : 'Escolha um horário'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  )
}
