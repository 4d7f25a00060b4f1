'use client'

import { useState } from 'react'
import { format } from 'date-fns'
import { de } from 'date-fns/locale'
import { CalendarDays, Clock, Users } from 'lucide-react'
import { useRouter } from 'next/navigation'

import { Button } from '@/components/ui/button'
import { Calendar } from '@/components/ui/calendar'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { useToast } from '@/hooks/use-toast'
import { MAX_PERSONEN, bereiche, zeitfenster } from '@/lib/data'
import { cn } from '@/lib/utils'

export function ReservationWidget() {
  const router = useRouter()
  const { toast } = useToast()
  const [datum, setDatum] = useState<Date | undefined>()
  const [uhrzeit, setUhrzeit] = useState<string | null>(null)
  const [personen, setPersonen] = useState(2)
  const [bereich, setBereich] = useState<(typeof bereiche)[number]>('Innenraum')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [telefon, setTelefon] = useState('')
  const [anmerkung, setAnmerkung] = useState('')
  const [sendet, setSendet] = useState(false)

  const vollstaendig = datum && uhrzeit && name.trim() && email.includes('@')

  const handleReservierung = async () => {
    if (!vollstaendig) {
      toast({ title: 'Bitte alle Pflichtfelder ausfüllen', variant: 'destructive' })
      return
    }
    setSendet(true)
    try {
      const res = await fetch('/api/reservierungen', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          datum: format(datum, 'yyyy-MM-dd'),
          uhrzeit,
          personen,
          bereich,
          name,
          email,
          telefon,
          anmerkung,
        }),
      })
      if (!res.ok) throw new Error(await res.text())
      const { id } = await res.json()
      router.push(`/bestaetigung?id=${id}`)
    } catch {
      toast({ title: 'Das hat leider nicht geklappt', description: 'Bitte rufen Sie uns an: 040 123 456 78' })
    } finally {
      setSendet(false)
    }
  }

  return (
    <Card id="reservierung" className="shadow-lg">
      <CardHeader>
        <CardTitle>Tisch reservieren</CardTitle>
        <CardDescription>Reservierungen sind bis 2 Stunden vor Ankunft möglich.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-8 md:grid-cols-2">
        <div className="space-y-4">
          <div className="flex items-center gap-2 text-sm font-medium">
            <CalendarDays className="h-4 w-4" /> Datum wählen
          </div>
          <Calendar
            mode="single"
            locale={de}
            selected={datum}
            onSelect={setDatum}
            disabled={(tag) => tag < new Date(new Date().setHours(0, 0, 0, 0)) || tag.getDay() === 1}
            className="rounded-md border"
          />
          <div className="flex items-center gap-2 text-sm font-medium">
            <Users className="h-4 w-4" /> Personen
          </div>
          <div className="flex flex-wrap gap-2">
            {Array.from({ length: MAX_PERSONEN }, (_, i) => i + 1).map((anzahl) => (
              <Button
                key={anzahl}
                variant={anzahl === personen ? 'default' : 'outline'}
                size="sm"
                onClick={() => setPersonen(anzahl)}
              >
                {anzahl}
              </Button>
            ))}
          </div>
        </div>

        <div className="space-y-4">
          <div className="flex items-center gap-2 text-sm font-medium">
            <Clock className="h-4 w-4" /> Uhrzeit {datum && <span className="text-muted-foreground">am {format(datum, 'EEEE, d. MMMM', { locale: de })}</span>}
          </div>
          <div className="grid grid-cols-4 gap-2">
            {zeitfenster.map((slot) => (
              <button
                key={slot.zeit}
                disabled={slot.freiePlaetze < personen}
                onClick={() => setUhrzeit(slot.zeit)}
                className={cn(
                  'rounded-md border px-2 py-2 text-sm transition-colors disabled:cursor-not-allowed disabled:opacity-40',
                  uhrzeit === slot.zeit ? 'border-amber-700 bg-amber-700 text-white' : 'hover:bg-muted'
                )}
              >
                {slot.zeit}
              </button>
            ))}
          </div>

          <div className="flex gap-2">
            {bereiche.map((b) => (
              <Button key={b} variant={b === bereich ? 'secondary' : 'ghost'} size="sm" onClick={() => setBereich(b)}>
                {b}
              </Button>
            ))}
          </div>

          <div className="grid gap-3">
            <div className="grid gap-1.5">
              <Label htmlFor="name">Name *</Label>
              <Input id="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Vor- und Nachname" />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="email">E-Mail *</Label>
              <Input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="telefon">Telefon</Label>
              <Input id="telefon" type="tel" value={telefon} onChange={(e) => setTelefon(e.target.value)} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="anmerkung">Anmerkungen (Allergien, Kinderstuhl …)</Label>
              <Textarea id="anmerkung" value={anmerkung} onChange={(e) => setAnmerkung(e.target.value)} rows={3} />
            </div>
          </div>

          <Button className="w-full bg-amber-700 hover:bg-amber-800" disabled={sendet} onClick={handleReservierung}>
            {sendet ? 'Wird gesendet …' : `Jetzt für ${personen} ${personen === 1 ? 'Person' : 'Personen'} reservieren`}
          </Button>
        </div>
      </CardContent>
    </Card>
  )
}
