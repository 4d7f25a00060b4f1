export type FestivalEvent = {
  id: string
  title: string
  day: "Friday" | "Saturday" | "Sunday"
  time: string
  venue: string
  startsAt: Date
}

export const headliners = ["Nubya Garcia", "Ezra Collective", "Yussef Dayes Trio"]

export const events: FestivalEvent[] = [
  {
    id: "opening-night",
    title: "Opening night: Ezra Collective",
    day: "Friday",
    time: "19:30",
    venue: "Harbour Stage",
    startsAt: new Date("2025-09-12T19:30:00+01:00"),
  },
  {
    id: "late-session",
    title: "Late session: Yussef Dayes Trio",
    day: "Saturday",
    time: "22:00",
    venue: "Boathouse",
    startsAt: new Date("2025-09-13T22:00:00+01:00"),
  },
  {
    id: "closing",
    title: "Closing concert: Nubya Garcia",
    day: "Sunday",
    time: "20:00",
    venue: "Harbour Stage",
    startsAt: new Date("2025-09-14T20:00:00+01:00"),
  },
]
