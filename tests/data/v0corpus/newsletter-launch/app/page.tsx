import { CalendarCheck, Sparkles, Wallet } from 'lucide-react'
import { WaitlistForm } from '@/components/waitlist-form'

const features = [
  { icon: CalendarCheck, title: 'Class schedule in minutes', text: 'Import your timetable from a spreadsheet and you are live.' },
  { icon: Wallet, title: 'No commission', text: 'Flat monthly price. Your students pay you, not us.' },
  { icon: Sparkles, title: 'Looks like your brand', text: 'Your colours, your fonts, your domain.' },
]

export default function Home() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-12 bg-gradient-to-b from-rose-50 to-white px-6 py-24 text-center">
      <div className="space-y-4">
        <p className="text-sm font-medium uppercase tracking-widest text-rose-500">Launching spring 2026</p>
        <h1 className="text-5xl font-bold tracking-tight md:text-6xl">
          The booking page your
          <br />
          studio deserves.
        </h1>
        <p className="mx-auto max-w-xl text-lg text-neutral-600">
          Slotly is building a calmer way for independent yoga and pilates studios to fill their classes. Be the first
          to try it.
        </p>
      </div>
      <WaitlistForm />
      <div className="grid max-w-4xl gap-8 pt-8 text-left md:grid-cols-3">
        {features.map(({ icon: Icon, title, text }) => (
          <div key={title} className="space-y-2">
            <Icon className="size-6 text-rose-500" />
            <h2 className="font-semibold">{title}</h2>
            <p className="text-sm text-neutral-600">{text}</p>
          </div>
        ))}
      </div>
    </main>
  )
}
