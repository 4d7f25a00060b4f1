'use client'

import { useState, useTransition } from 'react'
import { Plus, Trash2 } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Separator } from '@/components/ui/separator'
import { euro, summen } from '@/lib/rechnung'
import { rechnungAnlegen, type NeuePosition } from '../actions'

const leerePosition = (): NeuePosition => ({ beschreibung: '', menge: 1, einzelpreis: 0, mwstSatz: 19 })

export default function NeueRechnung() {
  const [kundeName, setKundeName] = useState('')
  const [kundeAdresse, setKundeAdresse] = useState('')
  const [kundeUstId, setKundeUstId] = useState('')
  const [zahlungsziel, setZahlungsziel] = useState(14)
  const [zeilen, setZeilen] = useState<NeuePosition[]>([leerePosition()])
  const [pending, startTransition] = useTransition()

  const aendern = (index: number, feld: keyof NeuePosition, wert: string) =>
    setZeilen((alle) =>
      alle.map((z, i) => (i === index ? { ...z, [feld]: feld === 'beschreibung' ? wert : Number(wert) } : z)),
    )

  const { netto, mwst, brutto } = summen(zeilen)

  return (
    <main className="mx-auto max-w-4xl p-8">
      <Card>
        <CardHeader>
          <CardTitle>Neue Rechnung</CardTitle>
        </CardHeader>
        <CardContent>
          <form
            action={() =>
              startTransition(() =>
                rechnungAnlegen({ kundeName, kundeAdresse, kundeUstId, zahlungszielTage: zahlungsziel, positionen: zeilen }),
              )
            }
            className="space-y-6"
          >
            <div className="grid gap-4 md:grid-cols-2">
              <div className="grid gap-2">
                <Label htmlFor="kunde">Kunde</Label>
                <Input id="kunde" required value={kundeName} onChange={(e) => setKundeName(e.target.value)} />
              </div>
              <div className="grid gap-2">
                <Label htmlFor="ustid">USt-IdNr. (optional)</Label>
                <Input id="ustid" value={kundeUstId} onChange={(e) => setKundeUstId(e.target.value)} />
              </div>
              <div className="grid gap-2 md:col-span-2">
                <Label htmlFor="adresse">Rechnungsadresse</Label>
                <Input id="adresse" required value={kundeAdresse} onChange={(e) => setKundeAdresse(e.target.value)} />
              </div>
              <div className="grid gap-2">
                <Label htmlFor="ziel">Zahlungsziel (Tage)</Label>
                <Input id="ziel" type="number" min={0} value={zahlungsziel} onChange={(e) => setZahlungsziel(Number(e.target.value))} />
              </div>
            </div>

            <Separator />

            <div className="space-y-3">
              <h2 className="font-medium">Positionen</h2>
              {zeilen.map((zeile, index) => (
                <div key={index} className="grid grid-cols-[1fr_80px_120px_80px_40px] items-center gap-2">
                  <Input placeholder="Leistung" value={zeile.beschreibung} onChange={(e) => aendern(index, 'beschreibung', e.target.value)} />
                  <Input type="number" step="0.25" value={zeile.menge} onChange={(e) => aendern(index, 'menge', e.target.value)} />
                  <Input type="number" step="0.01" value={zeile.einzelpreis} onChange={(e) => aendern(index, 'einzelpreis', e.target.value)} />
                  <select
                    className="h-9 rounded-md border px-2 text-sm"
                    value={zeile.mwstSatz}
                    onChange={(e) => aendern(index, 'mwstSatz', e.target.value)}
                  >
                    <option value={19}>19 %</option>
                    <option value={7}>7 %</option>
                    <option value={0}>0 %</option>
                  </select>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    disabled={zeilen.length === 1}
                    onClick={() => setZeilen((alle) => alle.filter((_, i) => i !== index))}
                  >
                    <Trash2 />
                  </Button>
                </div>
              ))}
              <Button type="button" variant="outline" size="sm" onClick={() => setZeilen((alle) => [...alle, leerePosition()])}>
                <Plus /> Position hinzufügen
              </Button>
            </div>

            <div className="ml-auto w-64 space-y-1 text-sm">
              <div className="flex justify-between">
                <span>Netto</span>
                <span>{euro(netto)}</span>
              </div>
              <div className="flex justify-between">
                <span>MwSt.</span>
                <span>{euro(mwst)}</span>
              </div>
              <div className="flex justify-between font-semibold">
                <span>Gesamt</span>
                <span>{euro(brutto)}</span>
              </div>
            </div>

            <Button type="submit" disabled={pending}>
              {pending ? 'Wird gespeichert …' : 'Rechnung erstellen'}
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  )
}
