import { notFound } from 'next/navigation'
import { PriorityBadge } from '@/components/priority-badge'
import { getTicket } from '@/lib/tickets'
import { StatusSwitcher } from './status-switcher'

export const dynamic = 'force-dynamic'

export default async function TicketPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const ticket = await getTicket(id)
  if (!ticket) notFound()

  return (
    <article className="max-w-3xl space-y-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">{ticket.subject}</h1>
        <div className="flex items-center gap-3 text-sm text-muted-foreground">
          <PriorityBadge priority={ticket.priority} />
          <span>
            from {ticket.requesterName} &lt;{ticket.requesterEmail}&gt;
          </span>
        </div>
      </header>
      <p className="whitespace-pre-wrap rounded-md border p-4">{ticket.description}</p>
      <StatusSwitcher id={ticket._id} status={ticket.status} />
      <p className="text-xs text-muted-foreground">Reminder: refunds above $500 need approval from finance before you reply.</p>
    </article>
  )
}
