import Hero from "@/components/hero"
import { KontaktFormular } from "@/components/kontakt-formular"
import { Leistungen } from "@/components/leistungen"
import { Referenzen } from "@/components/referenzen"

export default function Startseite() {
  return (
    <main>
      <Hero />
      <Leistungen />
      <Referenzen />
      <section id="kontakt" className="container mx-auto grid gap-12 px-6 py-24 md:grid-cols-[1fr_1.4fr]">
        <div>
          <h2 className="text-3xl font-bold">Lassen Sie uns sprechen</h2>
          <p className="mt-4 text-muted-foreground">
            Erzählen Sie uns kurz von Ihrem Vorhaben. Das Erstgespräch ist kostenlos und unverbindlich.
          </p>
          <p className="mt-8 text-sm">
            Nordlicht Digital GmbH
            <br />
            Holstenstraße 12, 24103 Kiel
            <br />
            0431 987 654 0
          </p>
        </div>
        <KontaktFormular />
      </section>
      <footer className="border-t py-8 text-center text-sm text-muted-foreground">
        © {new Date().getFullYear()} Nordlicht Digital GmbH · <a href="/impressum">Impressum</a>
      </footer>
    </main>
  )
}
