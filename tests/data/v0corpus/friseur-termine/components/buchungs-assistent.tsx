'use client'

import { useMemo, useReducer } from 'react'
import { format } from 'date-fns'
import { de } from 'date-fns/locale'
import { Check, Scissors } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { ToggleGroup, ToggleGroupItem } from '@/components/ui/toggle-group'
import { freieZeiten, leistungen, naechsteTage, stylisten } from '@/lib/salon'

type Zustand = {
  schritt: 1 | 2 | 3 | 4
  leistungId?: string
  stylistId: string
  tag?: string
  uhrzeit?: string
  kunde: { name: string; telefon: string; email: string }
  buchungsnummer?: string
}

type Aktion =
  | { typ: 'leistung'; id: string }
  | { typ: 'stylist'; id: string }
  | { typ: 'tag'; tag: string }
  | { typ: 'uhrzeit'; uhrzeit: string }
  | { typ: 'kunde'; feld: keyof Zustand['kunde']; wert: string }
  | { typ: 'zurueck' }
  | { typ: 'gebucht'; nummer: string }

function reducer(zustand: Zustand, aktion: Aktion): Zustand {
  switch (aktion.typ) {
    case 'leistung':
      return { ...zustand, leistungId: aktion.id, schritt: 2 }
    case 'stylist':
      return { ...zustand, stylistId: aktion.id }
    case 'tag':
      return { ...zustand, tag: aktion.tag, uhrzeit: undefined }
    case 'uhrzeit':
      return { ...zustand, uhrzeit: aktion.uhrzeit, schritt: 3 }
    case 'kunde':
      return { ...zustand, kunde: { ...zustand.kunde, [aktion.feld]: aktion.wert } }
    case 'zurueck':
      return { ...zustand, schritt: Math.max(1, zustand.schritt - 1) as Zustand['schritt'] }
    case 'gebucht':
      return { ...zustand, buchungsnummer: aktion.nummer, schritt: 4 }
  }
}

export function BuchungsAssistent() {
  const [zustand, dispatch] = useReducer(reducer, { schritt: 1, stylistId: 'egal', kunde: { name: '', telefon: '', email: '' } })
  const leistung = leistungen.find((l) => l.id === zustand.leistungId)
  const tage = useMemo(() => naechsteTage(), [])
  const zeiten = zustand.tag && leistung ? freieZeiten(new Date(zustand.tag), leistung.dauer) : []

  const terminBuchen = async () => {
    const antwort = await fetch('/api/termine', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        leistung: zustand.leistungId,
        stylist: zustand.stylistId,
        tag: zustand.tag,
        uhrzeit: zustand.uhrzeit,
        ...zustand.kunde,
      }),
    })
    const daten = await antwort.json()
    if (antwort.ok) dispatch({ typ: 'gebucht', nummer: daten.buchungsnummer })
  }

  if (zustand.schritt === 4) {
    return (
      <Card className="text-center">
        <CardContent className="space-y-3 py-10">
          <Check className="mx-auto size-10 text-emerald-600" />
          <h2 className="text-xl font-semibold">Dein Termin ist gebucht!</h2>
          <p className="text-muted-foreground">
            {leistung?.name} am {zustand.tag && format(new Date(zustand.tag), 'EEEE, d. MMMM', { locale: de })} um {zustand.uhrzeit} Uhr.
            Buchungsnummer {zustand.buchungsnummer}.
          </p>
        </CardContent>
      </Card>
    )
  }

  return (
    <Card>
      <CardHeader className="flex-row items-center justify-between">
        <CardTitle>Termin buchen</CardTitle>
        <Badge variant="secondary">Schritt {zustand.schritt} von 3</Badge>
      </CardHeader>
      <CardContent className="space-y-6">
        {zustand.schritt === 1 && (
          <ul className="divide-y rounded-md border">
            {leistungen.map((l) => (
              <li key={l.id}>
                <button className="flex w-full items-center justify-between p-4 text-left hover:bg-muted" onClick={() => dispatch({ typ: 'leistung', id: l.id })}>
                  <span className="flex items-center gap-3">
                    <Scissors className="size-4 text-muted-foreground" /> {l.name}
                  </span>
                  <span className="text-sm text-muted-foreground">
                    {l.dauer} Min. · {l.preis} €
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}

        {zustand.schritt === 2 && (
          <div className="space-y-6">
            <div className="space-y-2">
              <Label>Bei wem?</Label>
              <ToggleGroup type="single" value={zustand.stylistId} onValueChange={(id) => id && dispatch({ typ: 'stylist', id })}>
                {stylisten.map((s) => (
                  <ToggleGroupItem key={s.id} value={s.id}>
                    {s.name}
                  </ToggleGroupItem>
                ))}
              </ToggleGroup>
            </div>
            <div className="space-y-2">
              <Label>Tag</Label>
              <div className="flex gap-2 overflow-x-auto pb-2">
                {tage.map((tag) => {
                  const iso = tag.toISOString()
                  return (
                    <Button key={iso} variant={zustand.tag === iso ? 'default' : 'outline'} className="h-auto flex-col py-2" onClick={() => dispatch({ typ: 'tag', tag: iso })}>
                      <span className="text-xs">{format(tag, 'EEE', { locale: de })}</span>
                      <span className="text-lg">{format(tag, 'd')}</span>
                    </Button>
                  )
                })}
              </div>
            </div>
            {zustand.tag && (
              <div className="space-y-2">
                <Label>Uhrzeit</Label>
                <div className="grid grid-cols-5 gap-2">
                  {zeiten.map((z) => (
                    <Button key={z} variant="outline" size="sm" onClick={() => dispatch({ typ: 'uhrzeit', uhrzeit: z })}>
                      {z}
                    </Button>
                  ))}
                </div>
              </div>
            )}
            <Button variant="ghost" onClick={() => dispatch({ typ: 'zurueck' })}>
              Zurück
            </Button>
          </div>
        )}

        {zustand.schritt === 3 && (
          <div className="space-y-4">
            <p className="rounded-md bg-muted p-3 text-sm">
              {leistung?.name} · {zustand.tag && format(new Date(zustand.tag), 'EEEE, d. MMMM', { locale: de })} · {zustand.uhrzeit} Uhr
            </p>
            <div className="grid gap-2">
              <Label htmlFor="name">Name</Label>
              <Input id="name" value={zustand.kunde.name} onChange={(e) => dispatch({ typ: 'kunde', feld: 'name', wert: e.target.value })} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="telefon">Handynummer</Label>
              <Input id="telefon" type="tel" value={zustand.kunde.telefon} onChange={(e) => dispatch({ typ: 'kunde', feld: 'telefon', wert: e.target.value })} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="email">E-Mail (für die Bestätigung)</Label>
              <Input id="email" type="email" value={zustand.kunde.email} onChange={(e) => dispatch({ typ: 'kunde', feld: 'email', wert: e.target.value })} />
            </div>
            <div className="flex gap-2">
              <Button variant="ghost" onClick={() => dispatch({ typ: 'zurueck' })}>
                Zurück
              </Button>
              <Button className="flex-1" disabled={!zustand.kunde.name || !zustand.kunde.telefon} onClick={terminBuchen}>
                Termin verbindlich buchen
              </Button>
            </div>
          </div>
        )}
      </CardContent>
    </Card>
  )
}
