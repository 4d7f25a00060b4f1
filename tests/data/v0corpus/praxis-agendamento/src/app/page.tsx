import { Stethoscope } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Agendamento } from '@/components/agendamento'
import Assistente from '@/components/assistente'
import { listarMedicos } from '@/lib/agenda'

export default function Home() {
  const medicos = listarMedicos()

  return (
    <main className="min-h-screen bg-sky-50/50">
      <header className="border-b bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-2 px-6 py-4 font-semibold text-sky-900">
          <Stethoscope className="h-5 w-5" /> Clínica Vida Plena
        </div>
      </header>
      <section className="mx-auto max-w-6xl space-y-10 px-6 py-12">
        <div>
          <h1 className="text-3xl font-bold text-sky-950">Agendamento online</h1>
          <p className="mt-2 text-muted-foreground">Escolha o profissional, o dia e o horário. Atendemos particular e os principais convênios.</p>
        </div>
        <div className="grid gap-4 md:grid-cols-3">
          {medicos.map((m) => (
            <div key={m.id} className="rounded-lg border bg-white p-4">
              <p className="font-medium">{m.nome}</p>
              <p className="text-sm text-muted-foreground">{m.especialidade}</p>
              <Badge variant="secondary" className="mt-2">
                {m.crm}
              </Badge>
            </div>
          ))}
        </div>
        <Agendamento />
      </section>
      <Assistente />
    </main>
  )
}
