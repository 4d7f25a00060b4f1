import { Badge } from '@/components/ui/badge'
import type { Rechnung } from '@/lib/db/schema'
import { istUeberfaellig } from '@/lib/rechnung'

export function StatusBadge({ rechnung }: { rechnung: Pick<Rechnung, 'status' | 'faelligAm'> }) {
  if (istUeberfaellig(rechnung)) return <Badge variant="destructive">Überfällig</Badge>
  switch (rechnung.status) {
    case 'bezahlt':
      return <Badge className="bg-emerald-600">Bezahlt</Badge>
    case 'offen':
      return <Badge variant="secondary">Offen</Badge>
    case 'storniert':
      return <Badge variant="outline">Storniert</Badge>
    default:
      return <Badge variant="outline">Entwurf</Badge>
  }
}
