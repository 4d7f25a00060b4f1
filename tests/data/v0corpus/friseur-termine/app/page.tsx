import { Clock, MapPin, Phone } from 'lucide-react'
import { BuchungsAssistent } from '@/components/buchungs-assistent'

export default function Home() {
  return (
    <main className="mx-auto grid max-w-5xl gap-10 px-6 py-14 md:grid-cols-[1fr_1.4fr]">
      <section className="space-y-6">
        <h1 className="text-4xl font-semibold tracking-tight">Salon Schnittstelle</h1>
        <p className="text-muted-foreground">
          Dein Friseur in Plagwitz. Such dir Leistung, Tag und Uhrzeit aus – die Bestätigung kommt sofort per E-Mail.
        </p>
        <ul className="space-y-2 text-sm">
          <li className="flex items-center gap-2">
            <MapPin className="size-4" /> Karl-Heine-Straße 64, 04229 Leipzig
          </li>
          <li className="flex items-center gap-2">
            <Clock className="size-4" /> Di–Fr 9–19 Uhr, Sa 9–15 Uhr
          </li>
          <li className="flex items-center gap-2">
            <Phone className="size-4" /> 0341 555 2020
          </li>
        </ul>
      </section>
      <BuchungsAssistent />
    </main>
  )
}
