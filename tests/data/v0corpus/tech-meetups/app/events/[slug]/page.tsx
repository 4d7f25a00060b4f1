import { notFound } from 'next/navigation'
import { Separator } from '@/components/ui/separator'
import { findeVeranstaltung, veranstaltungen } from '@/lib/data'
import { AnmeldeFormular } from './anmelde-formular'

export function generateStaticParams() {
  return veranstaltungen.map((v) => ({ slug: v.slug }))
}

export default async function VeranstaltungSeite({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const veranstaltung = findeVeranstaltung(slug)
  if (!veranstaltung) notFound()

  return (
    <main className="mx-auto grid max-w-5xl gap-12 px-6 py-16 md:grid-cols-[1.5fr_1fr]">
      <article className="space-y-6">
        <h1 className="text-3xl font-bold">{veranstaltung.titel}</h1>
        <p className="text-muted-foreground">
          {new Date(veranstaltung.datum).toLocaleDateString('de-DE', { dateStyle: 'full' })} · Einlass {veranstaltung.beginn} Uhr ·{' '}
          {veranstaltung.adresse}
        </p>
        <p>{veranstaltung.beschreibung}</p>
        {veranstaltung.talks.length > 0 && (
          <>
            <Separator />
            <h2 className="text-xl font-semibold">Programm</h2>
            <ul className="space-y-3">
              {veranstaltung.talks.map((talk) => (
                <li key={talk.titel} className="rounded-md border p-4">
                  <p className="font-medium">{talk.titel}</p>
                  <p className="text-sm text-muted-foreground">
                    {talk.sprecher} · {talk.dauer} Min.
                  </p>
                </li>
              ))}
            </ul>
          </>
        )}
      </article>
      <aside className="h-fit rounded-lg border p-6">
        <h2 className="mb-4 text-lg font-semibold">Anmeldung</h2>
        <p className="mb-4 text-sm text-muted-foreground">{veranstaltung.plaetze} Plätze · kostenlos</p>
        <AnmeldeFormular slug={veranstaltung.slug} />
      </aside>
    </main>
  )
}
