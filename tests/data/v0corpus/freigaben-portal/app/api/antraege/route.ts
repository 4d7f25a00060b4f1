import { NextResponse } from 'next/server'
import { erzeugeSchritte } from '@/lib/antraege'

export async function POST(request: Request) {
  const daten = await request.json()
  const jahr = new Date().getFullYear()
  const antrag = {
    id: `BANF-${jahr}-${String(Math.floor(Math.random() * 9000) + 1000)}`,
    ...daten,
    erstelltAm: new Date().toISOString().slice(0, 10),
    schritte: erzeugeSchritte(Number(daten.betrag)),
  }
  // Noch ohne Datenbank: die Liste im Portal zeigt Beispieldaten.
  return NextResponse.json(antrag, { status: 201 })
}
