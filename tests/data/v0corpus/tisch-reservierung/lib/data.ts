export type Zeitfenster = {
  zeit: string
  freiePlaetze: number
}

export const oeffnungszeiten = [
  { tag: 'Dienstag – Donnerstag', zeiten: '17:30 – 22:30' },
  { tag: 'Freitag & Samstag', zeiten: '17:00 – 23:30' },
  { tag: 'Sonntag', zeiten: '12:00 – 21:00' },
  { tag: 'Montag', zeiten: 'Ruhetag' },
]

export const zeitfenster: Zeitfenster[] = [
  { zeit: '17:30', freiePlaetze: 12 },
  { zeit: '18:00', freiePlaetze: 8 },
  { zeit: '18:30', freiePlaetze: 0 },
  { zeit: '19:00', freiePlaetze: 4 },
  { zeit: '19:30', freiePlaetze: 6 },
  { zeit: '20:00', freiePlaetze: 2 },
  { zeit: '20:30', freiePlaetze: 10 },
  { zeit: '21:00', freiePlaetze: 14 },
]

export const MAX_PERSONEN = 8

export const bereiche = ['Innenraum', 'Wintergarten', 'Terrasse'] as const
