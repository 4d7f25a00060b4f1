import { useState } from "react"
import { events } from "@/lib/events"

const days = ["Friday", "Saturday", "Sunday"] as const

export default function SchedulePage() {
  const [day, setDay] = useState<(typeof days)[number]>("Friday")
  const todays = events.filter((event) => event.day === day)

  return (
    <main className="mx-auto max-w-4xl px-6 py-12">
      <h1 className="text-3xl font-bold">Schedule</h1>
      <div className="mt-6 flex gap-2">
        {days.map((d) => (
          <button
            key={d}
            onClick={() => setDay(d)}
            className={d === day ? "rounded-md bg-primary px-3 py-1 text-white" : "rounded-md px-3 py-1"}
          >
            {d}
          </button>
        ))}
      </div>
      <ul className="mt-6 divide-y">
        {todays.map((event) => (
          <li key={event.id} className="py-3">
            <span className="font-medium">{event.time}</span> · {event.title} · {event.venue}
          </li>
        ))}
      </ul>
    </main>
  )
}
