'use server'

import { eq } from 'drizzle-orm'
import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { db } from '@/lib/db'
import { positionen, rechnungen } from '@/lib/db/schema'

export type NeuePosition = { beschreibung: string; menge: number; einzelpreis: number; mwstSatz: number }

export async function rechnungAnlegen(daten: {
  kundeName: string
  kundeAdresse: string
  kundeUstId?: string
  zahlungszielTage: number
  positionen: NeuePosition[]
}) {
  const heute = new Date()
  const faellig = new Date(heute)
  faellig.setDate(faellig.getDate() + daten.zahlungszielTage)
  const anzahl = await db.$count(rechnungen)
  const nummer = `RE-${heute.getFullYear()}-${String(anzahl + 1).padStart(4, '0')}`

  const [rechnung] = await db
    .insert(rechnungen)
    .values({
      nummer,
      kundeName: daten.kundeName,
      kundeAdresse: daten.kundeAdresse,
      kundeUstId: daten.kundeUstId || null,
      rechnungsdatum: heute.toISOString().slice(0, 10),
      faelligAm: faellig.toISOString().slice(0, 10),
      status: 'offen',
    })
    .returning()

  await db.insert(positionen).values(
    daten.positionen.map((p) => ({
      rechnungId: rechnung.id,
      beschreibung: p.beschreibung,
      menge: String(p.menge),
      einzelpreis: String(p.einzelpreis),
      mwstSatz: p.mwstSatz,
    })),
  )

  revalidatePath('/')
  redirect(`/rechnungen/${rechnung.id}`)
}

export async function alsBezahltMarkieren(id: number) {
  await db.update(rechnungen).set({ status: 'bezahlt', bezahltAm: new Date() }).where(eq(rechnungen.id, id))
  revalidatePath(`/rechnungen/${id}`)
  revalidatePath('/')
}
