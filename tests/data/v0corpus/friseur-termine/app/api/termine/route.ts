import { NextResponse } from 'next/server'
import { leistungen } from '@/lib/salon'

export async function POST(request: Request) {
  const buchung = await request.json()
  if (!leistungen.some((l) => l.id === buchung.leistung) || !buchung.tag || !buchung.uhrzeit || !buchung.name) {
    return NextResponse.json({ fehler: 'Unvollständige Buchung' }, { status: 400 })
  }
  const buchungsnummer = `S-${Math.random().toString(36).slice(2, 7).toUpperCase()}`
  // SMS-Erinnerung kommt einen Tag vorher über das Kassensystem.
  return NextResponse.json({ buchungsnummer, ...buchung }, { status: 201 })
}
