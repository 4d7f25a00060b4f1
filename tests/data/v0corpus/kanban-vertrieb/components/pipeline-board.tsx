'use client'

import { useMemo, useState } from 'react'
import { Search } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Input } from '@/components/ui/input'
import { DealKarte } from '@/components/deal-karte'
import { formatEuro, initialeDeals, phasen, type Deal, type PhaseId } from '@/lib/data'
import { cn } from '@/lib/utils'

export default function PipelineBoard() {
  const [deals, setDeals] = useState<Deal[]>(initialeDeals)
  const [gezogenerDeal, setGezogenerDeal] = useState<string | null>(null)
  const [zielSpalte, setZielSpalte] = useState<PhaseId | null>(null)
  const [suche, setSuche] = useState('')

  const sichtbar = useMemo(
    () =>
      deals.filter((d) =>
        [d.titel, d.firma, d.ansprechpartner].some((feld) => feld.toLowerCase().includes(suche.toLowerCase())),
      ),
    [deals, suche],
  )

  const verschiebeDeal = (dealId: string, phase: PhaseId) => {
    setDeals((alle) => alle.map((d) => (d.id === dealId ? { ...d, phase } : d)))
  }

  const handleDrop = (e: React.DragEvent<HTMLDivElement>, phase: PhaseId) => {
    e.preventDefault()
    const id = e.dataTransfer.getData('text/plain') || gezogenerDeal
    if (id) verschiebeDeal(id, phase)
    setGezogenerDeal(null)
    setZielSpalte(null)
  }

  const offenerWert = deals
    .filter((d) => d.phase !== 'gewonnen' && d.phase !== 'verloren')
    .reduce((summe, d) => summe + d.wert, 0)

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Vertriebs-Pipeline</h1>
          <p className="text-sm text-muted-foreground">Offenes Volumen: {formatEuro(offenerWert)}</p>
        </div>
        <div className="relative w-72">
          <Search className="absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
          <Input value={suche} onChange={(e) => setSuche(e.target.value)} placeholder="Deals durchsuchen" className="pl-8" />
        </div>
      </div>

      <div className="flex gap-4 overflow-x-auto pb-4">
        {phasen.map((phase) => {
          const spalte = sichtbar.filter((d) => d.phase === phase.id)
          const summe = spalte.reduce((s, d) => s + d.wert, 0)
          return (
            <div
              key={phase.id}
              onDragOver={(e) => {
                e.preventDefault()
                setZielSpalte(phase.id)
              }}
              onDragLeave={() => setZielSpalte(null)}
              onDrop={(e) => handleDrop(e, phase.id)}
              className={cn(
                'flex w-72 shrink-0 flex-col gap-3 rounded-lg bg-muted/50 p-3 transition-colors',
                zielSpalte === phase.id && 'bg-muted ring-2 ring-primary/30',
              )}
            >
              <div className="flex items-center justify-between">
                <div className="flex items-center gap-2">
                  <span className={cn('size-2 rounded-full', phase.farbe)} />
                  <h2 className="text-sm font-medium">{phase.titel}</h2>
                  <Badge variant="secondary">{spalte.length}</Badge>
                </div>
                <span className="text-xs text-muted-foreground">{formatEuro(summe)}</span>
              </div>
              {spalte.map((deal) => (
                <DealKarte
                  key={deal.id}
                  deal={deal}
                  onDragStart={setGezogenerDeal}
                  onDragEnd={() => {
                    setGezogenerDeal(null)
                    setZielSpalte(null)
                  }}
                />
              ))}
              {spalte.length === 0 && (
                <p className="rounded-md border border-dashed p-4 text-center text-xs text-muted-foreground">
                  Deal hierher ziehen
                </p>
              )}
            </div>
          )
        })}
      </div>
    </div>
  )
}
