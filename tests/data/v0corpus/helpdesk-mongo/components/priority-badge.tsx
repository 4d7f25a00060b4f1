import { Badge } from '@/components/ui/badge'
import type { TicketPriority } from '@/lib/tickets'

const styles: Record<TicketPriority, string> = {
  low: 'bg-slate-100 text-slate-700',
  medium: 'bg-blue-100 text-blue-700',
  high: 'bg-orange-100 text-orange-700',
  urgent: 'bg-red-100 text-red-700',
}

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return (
    <Badge variant="outline" className={`${styles[priority]} border-0 capitalize`}>
      {priority}
    </Badge>
  )
}
