import { notFound } from 'next/navigation'
import { Separator } from '@/components/ui/separator'
import { FreigabeVerlauf } from '@/components/freigabe-verlauf'
import { StatusBadge } from '@/components/status-badge'
import { beispielAntraege, gesamtstatus } from '@/lib/antraege'

export default async function AntragDetail({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const antrag = beispielAntraege.find((a) => a.id === id)
  if (!antrag) notFound()

  return (
    <main className="mx-auto max-w-3xl space-y-6 px-6 py-10">
      <div className="flex items-start justify-between">
        <div>
          <h1 className="text-2xl font-semibold">{antrag.titel}</h1>
          <p className="text-sm text-muted-foreground">
            {antrag.id} · eingereicht am {new Date(antrag.erstelltAm).toLocaleDateString('de-DE')} von {antrag.antragsteller}
          </p>
        </div>
        <StatusBadge status={gesamtstatus(antrag)} />
      </div>
      <p>{antrag.begruendung}</p>
      <Separator />
      <h2 className="font-medium">Freigabeverlauf</h2>
      <FreigabeVerlauf schritte={antrag.schritte} />
      <ul className="space-y-2 text-sm">
        {antrag.schritte.map((s) => (
          <li key={s.rolle}>
            <span className="font-medium">{s.rolle}:</span> {s.entscheidung}
            {s.bearbeiter && ` durch ${s.bearbeiter} am ${s.datum}`}
            {s.kommentar && ` – „${s.kommentar}“`}
          </li>
        ))}
      </ul>
    </main>
  )
}
