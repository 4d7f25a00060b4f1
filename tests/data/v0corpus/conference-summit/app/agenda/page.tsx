import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs"
import { Badge } from "@/components/ui/badge"
import { getSchedule, getSpeaker } from "@/lib/conference"

export const metadata = { title: "Agenda · EdgeConf 2025" }

export default function AgendaPage() {
  const days = getSchedule()

  return (
    <main className="container mx-auto min-h-screen px-4 py-16">
      <h1 className="mb-8 text-4xl font-bold">Agenda</h1>
      <Tabs defaultValue={days[0].date}>
        <TabsList>
          {days.map((day) => (
            <TabsTrigger key={day.date} value={day.date}>
              {day.label}
            </TabsTrigger>
          ))}
        </TabsList>
        {days.map((day) => (
          <TabsContent key={day.date} value={day.date} className="mt-6 space-y-3">
            {day.sessions.map((session) => {
              const speaker = getSpeaker(session.speakerId)
              return (
                <div key={`${session.time}-${session.title}`} className="grid grid-cols-[120px_1fr] gap-4 rounded-lg border p-4">
                  <div className="font-mono text-sm text-muted-foreground">
                    {session.time}–{session.end}
                  </div>
                  <div>
                    <div className="flex items-center gap-2">
                      <h3 className="font-medium">{session.title}</h3>
                      <Badge variant="outline">{session.track}</Badge>
                    </div>
                    {speaker && (
                      <p className="text-sm text-muted-foreground">
                        {speaker.name} · {speaker.company}
                      </p>
                    )}
                  </div>
                </div>
              )
            })}
          </TabsContent>
        ))}
      </Tabs>
    </main>
  )
}
