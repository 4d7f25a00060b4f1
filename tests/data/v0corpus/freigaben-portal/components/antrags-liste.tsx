'use client'

import Link from 'next/link'
import { useState } from 'react'
import { useMsal } from '@azure/msal-react'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { FreigabeVerlauf } from '@/components/freigabe-verlauf'
import { StatusBadge } from '@/components/status-badge'
import { aktuellerSchritt, beispielAntraege, gesamtstatus, type Antrag, type Entscheidung } from '@/lib/antraege'

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' })

export function AntragsListe() {
  const { accounts } = useMsal()
  const ich = accounts[0]?.name ?? 'Unbekannt'
  const [antraege, setAntraege] = useState<Antrag[]>(beispielAntraege)

  const entscheiden = (id: string, entscheidung: Exclude<Entscheidung, 'offen'>) => {
    setAntraege((alle) =>
      alle.map((antrag) => {
        if (antrag.id !== id) return antrag
        const offen = aktuellerSchritt(antrag)
        return {
          ...antrag,
          schritte: antrag.schritte.map((s) =>
            s === offen ? { ...s, entscheidung, bearbeiter: ich, datum: new Date().toISOString().slice(0, 10) } : s,
          ),
        }
      }),
    )
  }

  return (
    <div className="space-y-4">
      {antraege.map((antrag) => {
        const status = gesamtstatus(antrag)
        const offen = aktuellerSchritt(antrag)
        return (
          <Card key={antrag.id}>
            <CardHeader className="flex-row items-start justify-between">
              <div>
                <CardTitle className="text-base">
                  <Link href={`/antrag/${antrag.id}`} className="hover:underline">
                    {antrag.titel}
                  </Link>
                </CardTitle>
                <p className="text-sm text-muted-foreground">
                  {antrag.id} · {antrag.antragsteller} · {antrag.kostenstelle}
                </p>
              </div>
              <div className="text-right">
                <p className="font-semibold">{euro.format(antrag.betrag)}</p>
                <StatusBadge status={status} />
              </div>
            </CardHeader>
            <CardContent className="flex flex-wrap items-center justify-between gap-4">
              <FreigabeVerlauf schritte={antrag.schritte} />
              {status === 'offen' && offen && (
                <div className="flex items-center gap-2">
                  <span className="text-xs text-muted-foreground">Wartet auf: {offen.rolle}</span>
                  <Button size="sm" variant="outline" onClick={() => entscheiden(antrag.id, 'abgelehnt')}>
                    Ablehnen
                  </Button>
                  <Button size="sm" onClick={() => entscheiden(antrag.id, 'genehmigt')}>
                    Genehmigen
                  </Button>
                </div>
              )}
            </CardContent>
          </Card>
        )
      })}
    </div>
  )
}
