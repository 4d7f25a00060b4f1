import Link from 'next/link'
import { desc } from 'drizzle-orm'
import { Plus } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { StatusBadge } from '@/components/status-badge'
import { db } from '@/lib/db'
import { rechnungen } from '@/lib/db/schema'
import { euro, istUeberfaellig, summen } from '@/lib/rechnung'

export const dynamic = 'force-dynamic'

export default async function Uebersicht() {
  const alle = await db.query.rechnungen.findMany({ orderBy: [desc(rechnungen.rechnungsdatum)] })
  const allePositionen = await db.query.positionen.findMany()
  const brutto = (id: number) => summen(allePositionen.filter((p) => p.rechnungId === id)).brutto

  const offen = alle.filter((r) => r.status === 'offen')
  const ueberfaellig = offen.filter(istUeberfaellig)

  return (
    <main className="mx-auto max-w-6xl space-y-8 p-8">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Rechnungen</h1>
        <Button asChild>
          <Link href="/rechnungen/neu">
            <Plus /> Neue Rechnung
          </Link>
        </Button>
      </div>

      <div className="grid gap-4 md:grid-cols-3">
        <Card>
          <CardHeader>
            <CardTitle className="text-sm text-muted-foreground">Offene Posten</CardTitle>
          </CardHeader>
          <CardContent className="text-2xl font-semibold">{euro(offen.reduce((s, r) => s + brutto(r.id), 0))}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle className="text-sm text-muted-foreground">Überfällig</CardTitle>
          </CardHeader>
          <CardContent className="text-2xl font-semibold text-destructive">{ueberfaellig.length}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle className="text-sm text-muted-foreground">Rechnungen gesamt</CardTitle>
          </CardHeader>
          <CardContent className="text-2xl font-semibold">{alle.length}</CardContent>
        </Card>
      </div>

      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Nr.</TableHead>
            <TableHead>Kunde</TableHead>
            <TableHead>Datum</TableHead>
            <TableHead>Fällig am</TableHead>
            <TableHead className="text-right">Betrag</TableHead>
            <TableHead>Status</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {alle.map((rechnung) => (
            <TableRow key={rechnung.id}>
              <TableCell>
                <Link href={`/rechnungen/${rechnung.id}`} className="font-mono hover:underline">
                  {rechnung.nummer}
                </Link>
              </TableCell>
              <TableCell>{rechnung.kundeName}</TableCell>
              <TableCell>{new Date(rechnung.rechnungsdatum).toLocaleDateString('de-DE')}</TableCell>
              <TableCell>{new Date(rechnung.faelligAm).toLocaleDateString('de-DE')}</TableCell>
              <TableCell className="text-right">{euro(brutto(rechnung.id))}</TableCell>
              <TableCell>
                <StatusBadge rechnung={rechnung} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </main>
  )
}
