import type { Timestamp } from "firebase/firestore"

export type Rechnung = {
  id: string
  kundeId: string
  nummer: string
  datum: Timestamp
  faelligAm: Timestamp
  betragBrutto: number
  status: "offen" | "bezahlt" | "gemahnt"
  pdfUrl?: string
}

export type SupportTicket = {
  id: string
  kundeId: string
  betreff: string
  beschreibung: string
  kategorie: "technik" | "abrechnung" | "sonstiges"
  prioritaet: "niedrig" | "normal" | "hoch"
  status: "offen" | "in_bearbeitung" | "geloest"
  erstelltAm: Timestamp
}
