import { CalendarDays, MapPin } from "lucide-react"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"
import type { FestivalEvent } from "@/lib/events"

export function EventCard({ event }: { event: FestivalEvent }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="font-display">{event.title}</CardTitle>
      </CardHeader>
      <CardContent className="space-y-2 text-sm text-muted-foreground">
        <p className="flex items-center gap-2">
          <CalendarDays className="h-4 w-4" /> {event.day} · {event.time}
        </p>
        <p className="flex items-center gap-2">
          <MapPin className="h-4 w-4" /> {event.venue}
        </p>
        <a href={`/register?event=${event.id}`} className="font-medium text-primary">
          RSVP
        </a>
      </CardContent>
    </Card>
  )
}
