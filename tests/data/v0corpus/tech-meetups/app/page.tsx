import { VeranstaltungKarte } from '@/components/veranstaltung-karte'
import { veranstaltungen } from '@/lib/data'

export default function Home() {
  const kommende = veranstaltungen.filter((v) => new Date(v.datum) >= new Date('2025-01-01'))

  return (
    <main className="mx-auto max-w-5xl px-6 py-16">
      <h1 className="text-4xl font-bold tracking-tight">Rheinland JS</h1>
      <p className="mt-3 max-w-2xl text-lg text-muted-foreground">
        Einmal im Monat treffen wir uns abwechselnd in Köln und Bonn. Eintritt frei, Anmeldung erwünscht.
      </p>
      <h2 className="mb-6 mt-12 text-xl font-semibold">Nächste Termine</h2>
      <div className="grid gap-6 md:grid-cols-3">
        {kommende.map((v) => (
          <VeranstaltungKarte key={v.slug} veranstaltung={v} />
        ))}
      </div>
    </main>
  )
}
