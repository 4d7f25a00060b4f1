export type PhaseId = 'neu' | 'kontaktiert' | 'angebot' | 'verhandlung' | 'gewonnen' | 'verloren'

export interface Phase {
  id: PhaseId
  titel: string
  farbe: string
}

export interface Deal {
  id: string
  titel: string
  firma: string
  ansprechpartner: string
  email: string
  telefon: string
  wert: number
  phase: PhaseId
  verantwortlich: string
  naechsterSchritt?: string
}

export const phasen: Phase[] = [
  { id: 'neu', titel: 'Neu', farbe: 'bg-slate-400' },
  { id: 'kontaktiert', titel: 'Kontaktiert', farbe: 'bg-sky-500' },
  { id: 'angebot', titel: 'Angebot gesendet', farbe: 'bg-violet-500' },
  { id: 'verhandlung', titel: 'Verhandlung', farbe: 'bg-amber-500' },
  { id: 'gewonnen', titel: 'Gewonnen', farbe: 'bg-emerald-500' },
  { id: 'verloren', titel: 'Verloren', farbe: 'bg-rose-500' },
]

export const initialeDeals: Deal[] = [
  {
    id: 'd-101',
    titel: 'Relaunch Website',
    firma: 'Bäckerei Hansen GmbH',
    ansprechpartner: 'Jens Hansen',
    email: 'j.hansen@baeckerei-hansen.de',
    telefon: '+49 40 555 1201',
    wert: 18000,
    phase: 'neu',
    verantwortlich: 'MK',
  },
  {
    id: 'd-102',
    titel: 'Onlineshop B2B',
    firma: 'Holzbau Petersen KG',
    ansprechpartner: 'Sabine Petersen',
    email: 'sp@holzbau-petersen.de',
    telefon: '+49 431 555 88',
    wert: 42000,
    phase: 'kontaktiert',
    verantwortlich: 'LS',
    naechsterSchritt: 'Workshop am 14.03.',
  },
  {
    id: 'd-103',
    titel: 'Wartungsvertrag 2025',
    firma: 'Stadtwerke Eckernförde',
    ansprechpartner: 'Dr. Anja Roth',
    email: 'anja.roth@stadtwerke-eck.de',
    telefon: '+49 4351 555 10',
    wert: 9600,
    phase: 'angebot',
    verantwortlich: 'MK',
    naechsterSchritt: 'Nachfassen Freitag',
  },
  {
    id: 'd-104',
    titel: 'Recruiting-Landingpages',
    firma: 'Nordsee Logistik AG',
    ansprechpartner: 'Tobias Brandt',
    email: 't.brandt@nordsee-logistik.de',
    telefon: '+49 471 555 300',
    wert: 12500,
    phase: 'verhandlung',
    verantwortlich: 'AK',
  },
  {
    id: 'd-105',
    titel: 'Intranet-App',
    firma: 'Klinikum Rendsburg',
    ansprechpartner: 'Petra Wulf',
    email: 'wulf@klinikum-rd.de',
    telefon: '+49 4331 555 0',
    wert: 65000,
    phase: 'gewonnen',
    verantwortlich: 'LS',
  },
]

export const formatEuro = (wert: number) =>
  new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(wert)
