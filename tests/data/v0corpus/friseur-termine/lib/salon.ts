import { addDays, addMinutes, format, isBefore, setHours, setMinutes, startOfDay } from 'date-fns'

export type Leistung = { id: string; name: string; dauer: number; preis: number }
export type Stylist = { id: string; name: string; arbeitstage: number[] }

export const leistungen: Leistung[] = [
  { id: 'damen-schnitt', name: 'Damenhaarschnitt inkl. Föhnen', dauer: 60, preis: 58 },
  { id: 'herren-schnitt', name: 'Herrenhaarschnitt', dauer: 30, preis: 32 },
  { id: 'farbe', name: 'Ansatzfarbe', dauer: 90, preis: 75 },
  { id: 'balayage', name: 'Balayage', dauer: 180, preis: 169 },
  { id: 'kinder', name: 'Kinderhaarschnitt (bis 12)', dauer: 30, preis: 19 },
]

export const stylisten: Stylist[] = [
  { id: 'egal', name: 'Egal, wer frei ist', arbeitstage: [2, 3, 4, 5, 6] },
  { id: 'nina', name: 'Nina', arbeitstage: [2, 3, 4, 5] },
  { id: 'can', name: 'Can', arbeitstage: [3, 4, 5, 6] },
]

export function naechsteTage(anzahl = 14) {
  const heute = startOfDay(new Date())
  return Array.from({ length: anzahl }, (_, i) => addDays(heute, i + 1)).filter((d) => d.getDay() !== 0 && d.getDay() !== 1)
}

/** Freie Startzeiten zwischen 9 und 18 Uhr, in die die Leistung komplett hineinpasst. */
export function freieZeiten(tag: Date, dauer: number, belegt: string[] = []) {
  const zeiten: string[] = []
  const ende = setHours(startOfDay(tag), 18)
  for (let t = setMinutes(setHours(startOfDay(tag), 9), 0); !isBefore(ende, addMinutes(t, dauer)); t = addMinutes(t, 30)) {
    const label = format(t, 'HH:mm')
    if (!belegt.includes(label)) zeiten.push(label)
  }
  return zeiten
}
