import SiteHeader from '@/components/site-header'
import { ReservationWidget } from '@/components/reservation-widget'
import { oeffnungszeiten } from '@/lib/data'

export default function Home() {
  return (
    <div className="min-h-screen bg-stone-50">
      <SiteHeader />
      <main className="mx-auto max-w-5xl space-y-12 px-4 py-12">
        <section className="space-y-4 text-center">
          <h1 className="text-4xl font-bold tracking-tight md:text-5xl">Buonasera aus Ottensen</h1>
          <p className="mx-auto max-w-2xl text-lg text-muted-foreground">
            Hausgemachte Pasta, Weine aus dem Piemont und ein Tisch, der auf Sie wartet.
          </p>
        </section>

        <ReservationWidget />

        <section id="kontakt" className="grid gap-8 md:grid-cols-2">
          <div>
            <h2 className="mb-4 text-xl font-semibold">Öffnungszeiten</h2>
            <dl className="space-y-2 text-sm">
              {oeffnungszeiten.map((eintrag) => (
                <div key={eintrag.tag} className="flex justify-between border-b pb-2">
                  <dt>{eintrag.tag}</dt>
                  <dd className="text-muted-foreground">{eintrag.zeiten}</dd>
                </div>
              ))}
            </dl>
          </div>
          <div>
            <h2 className="mb-4 text-xl font-semibold">So finden Sie uns</h2>
            <p className="text-sm text-muted-foreground">
              Bahrenfelder Straße 88, 22765 Hamburg
              <br />
              Gruppen ab 9 Personen bitte telefonisch: 040 123 456 78
            </p>
          </div>
        </section>
      </main>
    </div>
  )
}
