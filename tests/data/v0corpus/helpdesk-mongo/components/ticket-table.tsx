'use client'

import { useMemo, useState } from 'react'
import Link from 'next/link'
import { formatDistanceToNow } from 'date-fns'
import { Input } from '@/components/ui/input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { PriorityBadge } from '@/components/priority-badge'
import type { Ticket } from '@/lib/tickets'

export function TicketTable({ tickets }: { tickets: Ticket[] }) {
  const [query, setQuery] = useState('')
  const [status, setStatus] = useState<string>('all')

  const visible = useMemo(
    () =>
      tickets.filter(
        (t) =>
          (status === 'all' || t.status === status) &&
          (t.subject.toLowerCase().includes(query.toLowerCase()) || t.requesterEmail.includes(query))
      ),
    [tickets, query, status]
  )

  return (
    <div className="space-y-4">
      <div className="flex gap-3">
        <Input placeholder="Search subject or requester…" value={query} onChange={(e) => setQuery(e.target.value)} className="max-w-sm" />
        <Select value={status} onValueChange={setStatus}>
          <SelectTrigger className="w-40">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="all">All statuses</SelectItem>
            <SelectItem value="open">Open</SelectItem>
            <SelectItem value="pending">Pending</SelectItem>
            <SelectItem value="resolved">Resolved</SelectItem>
            <SelectItem value="closed">Closed</SelectItem>
          </SelectContent>
        </Select>
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Subject</TableHead>
            <TableHead>Requester</TableHead>
            <TableHead>Priority</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Updated</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {visible.map((ticket) => (
            <TableRow key={ticket._id}>
              <TableCell>
                <Link href={`/tickets/${ticket._id}`} className="font-medium hover:underline">
                  {ticket.subject}
                </Link>
              </TableCell>
              <TableCell className="text-muted-foreground">{ticket.requesterEmail}</TableCell>
              <TableCell>
                <PriorityBadge priority={ticket.priority} />
              </TableCell>
              <TableCell className="capitalize">{ticket.status}</TableCell>
              <TableCell className="text-muted-foreground">
                {formatDistanceToNow(new Date(ticket.updatedAt), { addSuffix: true })}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}
