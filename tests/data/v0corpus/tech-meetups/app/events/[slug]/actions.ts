'use server'

import { speichereAnmeldung } from '@/lib/anmeldungen'
import { findeVeranstaltung } from '@/lib/data'

export type AnmeldeStatus = { ok: boolean; nachricht: string } | null

export async function anmelden(_vorher: AnmeldeStatus, formData: FormData): Promise<AnmeldeStatus> {
  const slug = String(formData.get('slug'))
  const veranstaltung = findeVeranstaltung(slug)
  const name = String(formData.get('name') ?? '').trim()
  const email = String(formData.get('email') ?? '').trim()

  if (!veranstaltung) return { ok: false, nachricht: 'Veranstaltung nicht gefunden.' }
  if (!name || !email.includes('@')) return { ok: false, nachricht: 'Bitte Name und E-Mail angeben.' }

  const anzahl = speichereAnmeldung({
    veranstaltung: slug,
    name,
    email,
    vegetarisch: formData.get('vegetarisch') === 'on',
    zeitpunkt: new Date().toISOString(),
  })

  if (anzahl > veranstaltung.plaetze) {
    return { ok: true, nachricht: 'Du stehst auf der Warteliste – wir melden uns, falls ein Platz frei wird.' }
  }
  return { ok: true, nachricht: `Danke ${name}, du bist dabei! Wir sehen uns am ${veranstaltung.datum}.` }
}
