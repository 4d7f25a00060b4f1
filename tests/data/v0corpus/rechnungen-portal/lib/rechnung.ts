import type { Position, Rechnung } from '@/lib/db/schema'

export const euro = (betrag: number) => new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(betrag)

export function summen(positionen: Pick<Position, 'menge' | 'einzelpreis' | 'mwstSatz'>[]) {
  let netto = 0
  let mwst = 0
  for (const p of positionen) {
    const zeile = Number(p.menge) * Number(p.einzelpreis)
    netto += zeile
    mwst += (zeile * p.mwstSatz) / 100
  }
  return { netto, mwst, brutto: netto + mwst }
}

export function istUeberfaellig(rechnung: Pick<Rechnung, 'status' | 'faelligAm'>) {
  return rechnung.status === 'offen' && new Date(rechnung.faelligAm) < new Date()
}
