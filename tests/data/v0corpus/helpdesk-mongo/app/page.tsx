import { TicketTable } from '@/components/ticket-table'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { listTickets } from '@/lib/tickets'

export const dynamic = 'force-dynamic'

export default async function InboxPage() {
  const tickets = await listTickets()
  const open = tickets.filter((t) => t.status === 'open').length
  const urgent = tickets.filter((t) => t.priority === 'urgent' && t.status !== 'closed').length

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Inbox</h1>
      <div className="grid gap-4 md:grid-cols-3">
        <Card>
          <CardHeader className="pb-2">
            <CardTitle className="text-sm font-medium text-muted-foreground">Open tickets</CardTitle>
          </CardHeader>
          <CardContent className="text-3xl font-bold">{open}</CardContent>
        </Card>
        <Card>
          <CardHeader className="pb-2">
            <CardTitle className="text-sm font-medium text-muted-foreground">Urgent</CardTitle>
          </CardHeader>
          <CardContent className="text-3xl font-bold text-red-600">{urgent}</CardContent>
        </Card>
        <Card>
          <CardHeader className="pb-2">
            <CardTitle className="text-sm font-medium text-muted-foreground">Total</CardTitle>
          </CardHeader>
          <CardContent className="text-3xl font-bold">{tickets.length}</CardContent>
        </Card>
      </div>
      <TicketTable tickets={tickets} />
    </div>
  )
}
