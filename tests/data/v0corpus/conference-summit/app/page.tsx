import Link from "next/link"
import { CalendarDays, MapPin } from "lucide-react"
import { Button } from "@/components/ui/button"
import SpeakerCard from "@/components/speaker-card"
import { TicketTiers } from "@/components/ticket-tiers"
import { conference, getSpeakers } from "@/lib/conference"

export default function HomePage() {
  const speakers = getSpeakers()

  return (
    <main className="min-h-screen bg-black text-white">
      <section className="container mx-auto px-4 py-24 text-center">
        <p className="mb-4 inline-flex items-center gap-2 rounded-full border border-white/10 px-4 py-1 text-sm text-zinc-400">
          <CalendarDays className="h-4 w-4" /> 12–13 June 2025 <MapPin className="ml-2 h-4 w-4" /> {conference.venue}
        </p>
        <h1 className="text-5xl font-extrabold tracking-tight md:text-7xl">
          Build closer
          <br />
          <span className="text-emerald-400">to your users.</span>
        </h1>
        <p className="mx-auto mt-6 max-w-2xl text-lg text-zinc-400">
          {conference.name} brings 600 engineers to {conference.city} for two days of talks, workshops and one very
          long party.
        </p>
        <div className="mt-8 flex justify-center gap-4">
          <Button asChild size="lg" className="bg-emerald-500 text-black hover:bg-emerald-400">
            <Link href="/register">Register now</Link>
          </Button>
          <Button asChild size="lg" variant="outline">
            <Link href="/agenda">See the agenda</Link>
          </Button>
        </div>
      </section>

      <section id="speakers" className="container mx-auto px-4 py-16">
        <h2 className="mb-8 text-3xl font-bold">Speakers</h2>
        <div className="grid gap-6 md:grid-cols-2 lg:grid-cols-3">
          {speakers.map((speaker) => (
            <SpeakerCard key={speaker.id} speaker={speaker} />
          ))}
        </div>
      </section>

      <section id="tickets" className="container mx-auto px-4 py-16">
        <h2 className="mb-8 text-3xl font-bold">Tickets</h2>
        <TicketTiers />
      </section>
    </main>
  )
}
