import { alleAnmeldungen } from '@/lib/anmeldungen'
import { veranstaltungen } from '@/lib/data'

export const dynamic = 'force-dynamic'

export default function AdminPage() {
  const anmeldungen = alleAnmeldungen()

  return (
    <main className="mx-auto max-w-4xl px-6 py-12">
      <h1 className="mb-8 text-2xl font-semibold">Anmeldungen</h1>
      {veranstaltungen.map((v) => {
        const liste = anmeldungen.filter((a) => a.veranstaltung === v.slug)
        return (
          <section key={v.slug} className="mb-8">
            <h2 className="font-medium">
              {v.titel} ({liste.length}/{v.plaetze})
            </h2>
            <ul className="mt-2 text-sm text-muted-foreground">
              {liste.map((a) => (
                <li key={a.email}>
                  {a.name} &lt;{a.email}&gt; {a.vegetarisch && '🌱'}
                </li>
              ))}
            </ul>
          </section>
        )
      })}
    </main>
  )
}
