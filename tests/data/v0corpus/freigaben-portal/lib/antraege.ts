export type Entscheidung = 'offen' | 'genehmigt' | 'abgelehnt'

export type Schritt = {
  rolle: 'Teamleitung' | 'Einkauf' | 'Geschäftsführung'
  bearbeiter?: string
  entscheidung: Entscheidung
  kommentar?: string
  datum?: string
}

export type Antrag = {
  id: string
  titel: string
  antragsteller: string
  kostenstelle: string
  betrag: number
  begruendung: string
  erstelltAm: string
  schritte: Schritt[]
}

/** Ab diesem Betrag muss zusätzlich die Geschäftsführung freigeben. */
export const GF_GRENZE = 5000

export function erzeugeSchritte(betrag: number): Schritt[] {
  const schritte: Schritt[] = [
    { rolle: 'Teamleitung', entscheidung: 'offen' },
    { rolle: 'Einkauf', entscheidung: 'offen' },
  ]
  if (betrag >= GF_GRENZE) schritte.push({ rolle: 'Geschäftsführung', entscheidung: 'offen' })
  return schritte
}

export function aktuellerSchritt(antrag: Antrag) {
  return antrag.schritte.find((s) => s.entscheidung === 'offen')
}

export function gesamtstatus(antrag: Antrag): Entscheidung {
  if (antrag.schritte.some((s) => s.entscheidung === 'abgelehnt')) return 'abgelehnt'
  if (antrag.schritte.every((s) => s.entscheidung === 'genehmigt')) return 'genehmigt'
  return 'offen'
}

export const beispielAntraege: Antrag[] = [
  {
    id: 'BANF-2025-0142',
    titel: '3 Laptops für neue Konstrukteure',
    antragsteller: 'Miriam Schulz',
    kostenstelle: '4100 Konstruktion',
    betrag: 5870,
    begruendung: 'Neueinstellungen zum 01.04.',
    erstelltAm: '2025-03-10',
    schritte: [
      { rolle: 'Teamleitung', bearbeiter: 'K. Vogt', entscheidung: 'genehmigt', datum: '2025-03-11' },
      { rolle: 'Einkauf', entscheidung: 'offen' },
      { rolle: 'Geschäftsführung', entscheidung: 'offen' },
    ],
  },
  {
    id: 'BANF-2025-0139',
    titel: 'Schulung Schweißtechnik (2 Tage)',
    antragsteller: 'Ole Martens',
    kostenstelle: '5200 Fertigung',
    betrag: 1450,
    begruendung: 'Rezertifizierung DIN EN ISO 9606',
    erstelltAm: '2025-03-07',
    schritte: [
      { rolle: 'Teamleitung', bearbeiter: 'P. Jürgens', entscheidung: 'genehmigt', datum: '2025-03-07' },
      { rolle: 'Einkauf', bearbeiter: 'S. Koch', entscheidung: 'genehmigt', datum: '2025-03-08' },
    ],
  },
  {
    id: 'BANF-2025-0133',
    titel: 'Messestand Hannover Messe',
    antragsteller: 'Lea Brandt',
    kostenstelle: '8000 Marketing',
    betrag: 24000,
    begruendung: 'Standfläche 40 m², Frühbucherrabatt bis 31.03.',
    erstelltAm: '2025-03-02',
    schritte: [
      { rolle: 'Teamleitung', bearbeiter: 'R. Haas', entscheidung: 'genehmigt', datum: '2025-03-03' },
      { rolle: 'Einkauf', bearbeiter: 'S. Koch', entscheidung: 'abgelehnt', kommentar: 'Bitte Vergleichsangebot einholen', datum: '2025-03-05' },
      { rolle: 'Geschäftsführung', entscheidung: 'offen' },
    ],
  },
]
