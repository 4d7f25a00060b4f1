import Link from "next/link"
import { format } from "date-fns"
import { EventCard } from "@/components/event-card"
import { TicketTiers } from "@/components/ticket-tiers"
import { Button } from "@/components/ui/button"
import { events, headliners } from "@/lib/events"

export default function HomePage() {
  const upcoming = events.filter((event) => event.startsAt > new Date("2025-01-01"))
  return (
    <main className="mx-auto max-w-6xl px-6 py-12">
      <section className="text-center">
        <p className="text-sm uppercase tracking-widest text-primary">12–14 September 2025</p>
        <h1 className="font-display text-5xl font-bold">Harbour Jazz Festival</h1>
        <p className="mx-auto mt-4 max-w-2xl text-muted-foreground">
          Forty concerts across five stages on the Portsmouth waterfront. Headliners:{" "}
          {headliners.join(", ")}.
        </p>
        <Button asChild className="mt-6">
          <Link href="/register">Register now</Link>
        </Button>
      </section>

      <h2 className="mt-16 text-2xl font-semibold">Line-up</h2>
      <div className="mt-6 grid gap-6 md:grid-cols-3">
        {upcoming.map((event) => (
          <EventCard key={event.id} event={event} />
        ))}
      </div>

      <p className="mt-4 text-sm text-muted-foreground">
        Programme last updated {format(new Date("2025-06-01"), "d MMMM yyyy")}.
      </p>

      <TicketTiers />
    </main>
  )
}
