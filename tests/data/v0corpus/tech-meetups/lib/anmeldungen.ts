export type Anmeldung = {
  veranstaltung: string
  name: string
  email: string
  vegetarisch: boolean
  zeitpunkt: string
}

// Bis die Datenbank steht: Anmeldungen im Speicher der Serverinstanz.
const anmeldungen: Anmeldung[] = []

export function speichereAnmeldung(anmeldung: Anmeldung) {
  anmeldungen.push(anmeldung)
  return anmeldungen.filter((a) => a.veranstaltung === anmeldung.veranstaltung).length
}

export function alleAnmeldungen() {
  return [...anmeldungen]
}
