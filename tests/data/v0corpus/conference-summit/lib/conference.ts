import speakers from "@/data/speakers.json"
import schedule from "@/data/schedule.json"
import tiers from "@/data/tiers.json"

export type Speaker = (typeof speakers)[number]
export type Session = (typeof schedule.days)[number]["sessions"][number]
export type TicketTier = (typeof tiers)[number]

export const conference = {
  name: "EdgeConf 2025",
  city: "Berlin",
  venue: "Radialsystem, Holzmarktstraße 33",
  startDate: "2025-06-12",
  endDate: "2025-06-13",
}

export function getSpeakers(): Speaker[] {
  return speakers
}

export function getSpeaker(id?: string) {
  return speakers.find((speaker) => speaker.id === id)
}

export function getSchedule() {
  return schedule.days
}

export function getTicketTiers(): TicketTier[] {
  return tiers
}
