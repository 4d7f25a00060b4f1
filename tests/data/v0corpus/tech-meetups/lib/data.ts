export type Talk = {
  titel: string
  sprecher: string
  dauer: number
}

export type Veranstaltung = {
  slug: string
  titel: string
  datum: string
  beginn: string
  ort: string
  adresse: string
  plaetze: number
  beschreibung: string
  talks: Talk[]
}

export const veranstaltungen: Veranstaltung[] = [
  {
    slug: 'mai-2025-koeln',
    titel: 'Rheinland JS #41: Signals everywhere',
    datum: '2025-05-15',
    beginn: '18:30',
    ort: 'Köln',
    adresse: 'Startplatz, Im Mediapark 5, 50670 Köln',
    plaetze: 80,
    beschreibung: 'Wir schauen uns an, wie Signals in Angular, Solid und bald auch in TC39 funktionieren.',
    talks: [
      { titel: 'Signals: die Idee hinter dem Hype', sprecher: 'Lena Vogt', dauer: 30 },
      { titel: 'Von RxJS zu Signals – ein Migrationsbericht', sprecher: 'Deniz Arslan', dauer: 25 },
      { titel: 'Lightning Talks', sprecher: 'Ihr!', dauer: 20 },
    ],
  },
  {
    slug: 'juni-2025-bonn',
    titel: 'Rheinland JS #42: Node.js in Produktion',
    datum: '2025-06-12',
    beginn: '19:00',
    ort: 'Bonn',
    adresse: 'Digital Hub, Rheinwerkallee 6, 53227 Bonn',
    plaetze: 60,
    beschreibung: 'Observability, Graceful Shutdown und was uns Node 22 an Neuem bringt.',
    talks: [
      { titel: 'OpenTelemetry ohne Schmerzen', sprecher: 'Markus Henning', dauer: 30 },
      { titel: 'Was ist neu in Node 22?', sprecher: 'Sarah Klein', dauer: 25 },
    ],
  },
  {
    slug: 'juli-2025-koeln',
    titel: 'Rheinland JS Sommerfest',
    datum: '2025-07-10',
    beginn: '18:00',
    ort: 'Köln',
    adresse: 'Rheinauhafen, Halle 11',
    plaetze: 150,
    beschreibung: 'Kein Beamer, dafür Grill und Kaltgetränke am Rhein.',
    talks: [],
  },
]

export function findeVeranstaltung(slug: string) {
  return veranstaltungen.find((v) => v.slug === slug)
}
