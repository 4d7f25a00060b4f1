import Link from 'next/link'
import { CalendarDays, MapPin } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import type { Veranstaltung } from '@/lib/data'

export function VeranstaltungKarte({ veranstaltung }: { veranstaltung: Veranstaltung }) {
  const datum = new Date(veranstaltung.datum).toLocaleDateString('de-DE', { weekday: 'long', day: 'numeric', month: 'long' })

  return (
    <Link href={`/events/${veranstaltung.slug}`}>
      <Card className="h-full transition-shadow hover:shadow-md">
        <CardHeader>
          <Badge variant="secondary" className="w-fit">
            {veranstaltung.ort}
          </Badge>
          <CardTitle className="text-lg">{veranstaltung.titel}</CardTitle>
        </CardHeader>
        <CardContent className="space-y-1 text-sm text-muted-foreground">
          <p className="flex items-center gap-2">
            <CalendarDays className="size-4" /> {datum}, {veranstaltung.beginn} Uhr
          </p>
          <p className="flex items-center gap-2">
            <MapPin className="size-4" /> {veranstaltung.adresse}
          </p>
        </CardContent>
      </Card>
    </Link>
  )
}
