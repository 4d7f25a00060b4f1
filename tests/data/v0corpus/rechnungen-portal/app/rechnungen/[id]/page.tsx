import { notFound } from 'next/navigation'
import { eq } from 'drizzle-orm'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { StatusBadge } from '@/components/status-badge'
import { db } from '@/lib/db'
import { positionen, rechnungen } from '@/lib/db/schema'
import { euro, summen } from '@/lib/rechnung'
import { alsBezahltMarkieren } from '../actions'

export default async function RechnungDetail({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const rechnung = await db.query.rechnungen.findFirst({ where: eq(rechnungen.id, Number(id)) })
  if (!rechnung) notFound()
  const zeilen = await db.select().from(positionen).where(eq(positionen.rechnungId, rechnung.id))
  const { netto, mwst, brutto } = summen(zeilen)

  return (
    <main className="mx-auto max-w-3xl space-y-8 p-8">
      <div className="flex items-start justify-between">
        <div>
          <h1 className="font-mono text-2xl font-semibold">{rechnung.nummer}</h1>
          <p className="mt-1 whitespace-pre-line text-sm text-muted-foreground">
            {rechnung.kundeName}
            {'\n'}
            {rechnung.kundeAdresse}
          </p>
        </div>
        <StatusBadge rechnung={rechnung} />
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Leistung</TableHead>
            <TableHead className="text-right">Menge</TableHead>
            <TableHead className="text-right">Einzelpreis</TableHead>
            <TableHead className="text-right">Summe</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {zeilen.map((p) => (
            <TableRow key={p.id}>
              <TableCell>{p.beschreibung}</TableCell>
              <TableCell className="text-right">{Number(p.menge)}</TableCell>
              <TableCell className="text-right">{euro(Number(p.einzelpreis))}</TableCell>
              <TableCell className="text-right">{euro(Number(p.menge) * Number(p.einzelpreis))}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className="ml-auto w-64 space-y-1 text-sm">
        <div className="flex justify-between">
          <span>Netto</span>
          <span>{euro(netto)}</span>
        </div>
        <div className="flex justify-between">
          <span>MwSt.</span>
          <span>{euro(mwst)}</span>
        </div>
        <div className="flex justify-between text-base font-semibold">
          <span>Rechnungsbetrag</span>
          <span>{euro(brutto)}</span>
        </div>
        <p className="pt-2 text-muted-foreground">Zahlbar bis {new Date(rechnung.faelligAm).toLocaleDateString('de-DE')}</p>
      </div>
      {rechnung.status === 'offen' && (
        <form action={alsBezahltMarkieren.bind(null, rechnung.id)}>
          <Button type="submit" variant="outline">
            Zahlungseingang verbuchen
          </Button>
        </form>
      )}
    </main>
  )
}
