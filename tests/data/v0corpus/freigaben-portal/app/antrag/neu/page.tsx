'use client'

import { useRouter } from 'next/navigation'
import { useForm } from 'react-hook-form'
import { zodResolver } from '@hookform/resolvers/zod'
import { z } from 'zod'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Textarea } from '@/components/ui/textarea'
import { GF_GRENZE } from '@/lib/antraege'

const schema = z.object({
  titel: z.string().min(5, 'Bitte kurz beschreiben, was bestellt werden soll'),
  kostenstelle: z.string().min(1, 'Kostenstelle wählen'),
  betrag: z.coerce.number().positive('Betrag muss größer als 0 sein'),
  lieferant: z.string().optional(),
  begruendung: z.string().min(10, 'Bitte begründen'),
})

type AntragFormular = z.infer<typeof schema>

export default function NeuerAntragPage() {
  const router = useRouter()
  const {
    register,
    handleSubmit,
    setValue,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<AntragFormular>({ resolver: zodResolver(schema) })

  const betrag = watch('betrag')

  const onSubmit = async (daten: AntragFormular) => {
    await fetch('/api/antraege', { method: 'POST', body: JSON.stringify(daten) }).catch(() => undefined)
    router.push('/')
  }

  return (
    <main className="mx-auto max-w-2xl px-6 py-10">
      <Card>
        <CardHeader>
          <CardTitle>Neue Bestellanforderung</CardTitle>
        </CardHeader>
        <CardContent>
          <form onSubmit={handleSubmit(onSubmit)} className="space-y-5">
            <div className="grid gap-2">
              <Label htmlFor="titel">Was wird benötigt?</Label>
              <Input id="titel" {...register('titel')} />
              {errors.titel && <p className="text-sm text-destructive">{errors.titel.message}</p>}
            </div>
            <div className="grid gap-4 md:grid-cols-2">
              <div className="grid gap-2">
                <Label>Kostenstelle</Label>
                <Select onValueChange={(v) => setValue('kostenstelle', v, { shouldValidate: true })}>
                  <SelectTrigger className="w-full">
                    <SelectValue placeholder="Auswählen" />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="4100">4100 Konstruktion</SelectItem>
                    <SelectItem value="5200">5200 Fertigung</SelectItem>
                    <SelectItem value="8000">8000 Marketing</SelectItem>
                    <SelectItem value="9000">9000 Verwaltung</SelectItem>
                  </SelectContent>
                </Select>
                {errors.kostenstelle && <p className="text-sm text-destructive">{errors.kostenstelle.message}</p>}
              </div>
              <div className="grid gap-2">
                <Label htmlFor="betrag">Betrag (netto, €)</Label>
                <Input id="betrag" type="number" step="0.01" {...register('betrag')} />
                {errors.betrag && <p className="text-sm text-destructive">{errors.betrag.message}</p>}
              </div>
            </div>
            {Number(betrag) >= GF_GRENZE && (
              <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-800">
                Ab {GF_GRENZE.toLocaleString('de-DE')} € gibt zusätzlich die Geschäftsführung frei.
              </p>
            )}
            <div className="grid gap-2">
              <Label htmlFor="lieferant">Lieferant (optional)</Label>
              <Input id="lieferant" {...register('lieferant')} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="begruendung">Begründung</Label>
              <Textarea id="begruendung" rows={4} {...register('begruendung')} />
              {errors.begruendung && <p className="text-sm text-destructive">{errors.begruendung.message}</p>}
            </div>
            <Button type="submit" disabled={isSubmitting}>
              Zur Freigabe einreichen
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  )
}
