import { Avatar, AvatarFallback, AvatarImage } from "@/components/ui/avatar"
import { Card, CardContent } from "@/components/ui/card"
import type { Speaker } from "@/lib/conference"

export default function SpeakerCard({ speaker }: { speaker: Speaker }) {
  const initials = speaker.name
    .split(" ")
    .map((part) => part[0])
    .join("")

  return (
    <Card className="border-white/10 bg-zinc-900">
      <CardContent className="flex items-start gap-4 p-6">
        <Avatar className="h-14 w-14">
          <AvatarImage src={speaker.avatar} alt={speaker.name} />
          <AvatarFallback>{initials}</AvatarFallback>
        </Avatar>
        <div>
          <h3 className="font-semibold">{speaker.name}</h3>
          <p className="text-sm text-zinc-400">
            {speaker.role}, {speaker.company}
          </p>
          <p className="mt-2 text-sm text-emerald-300">“{speaker.talk}”</p>
        </div>
      </CardContent>
    </Card>
  )
}
