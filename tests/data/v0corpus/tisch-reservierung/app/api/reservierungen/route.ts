import { NextResponse } from 'next/server'
import { z } from 'zod'
import { MAX_PERSONEN, zeitfenster } from '@/lib/data'

const reservierungSchema = z.object({
  datum: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  uhrzeit: z.string(),
  personen: z.number().int().min(1).max(MAX_PERSONEN),
  bereich: z.string(),
  name: z.string().min(2),
  email: z.string().email(),
  telefon: z.string().optional(),
  anmerkung: z.string().max(500).optional(),
})

export async function GET() {
  return NextResponse.json({ zeitfenster })
}

export async function POST(request: Request) {
  const parsed = reservierungSchema.safeParse(await request.json())
  if (!parsed.success) {
    return NextResponse.json({ fehler: parsed.error.flatten() }, { status: 400 })
  }
  const slot = zeitfenster.find((z) => z.zeit === parsed.data.uhrzeit)
  if (!slot || slot.freiePlaetze < parsed.data.personen) {
    return NextResponse.json({ fehler: 'Zu dieser Uhrzeit ist leider kein Tisch mehr frei.' }, { status: 409 })
  }
  // TODO: an das Kassensystem anbinden
  const id = Math.random().toString(36).slice(2, 8).toUpperCase()
  return NextResponse.json({ id, ...parsed.data }, { status: 201 })
}
