import { Badge } from '@/components/ui/badge'
import type { Entscheidung } from '@/lib/antraege'

const text: Record<Entscheidung, string> = { offen: 'In Prüfung', genehmigt: 'Genehmigt', abgelehnt: 'Abgelehnt' }
const farbe: Record<Entscheidung, string> = {
  offen: 'bg-amber-100 text-amber-800',
  genehmigt: 'bg-emerald-100 text-emerald-800',
  abgelehnt: 'bg-rose-100 text-rose-800',
}

export const StatusBadge = ({ status }: { status: Entscheidung }) => (
  <Badge variant="outline" className={`border-0 ${farbe[status]}`}>
    {text[status]}
  </Badge>
)
