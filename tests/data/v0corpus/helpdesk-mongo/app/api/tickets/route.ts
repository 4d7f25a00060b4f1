import { NextRequest, NextResponse } from 'next/server'
import { z } from 'zod'
import { createTicket, listTickets, type TicketStatus } from '@/lib/tickets'

const newTicket = z.object({
  subject: z.string().min(5),
  description: z.string().min(10),
  requesterName: z.string().min(2),
  requesterEmail: z.string().email(),
  priority: z.enum(['low', 'medium', 'high', 'urgent']),
})

export async function GET(req: NextRequest) {
  const status = req.nextUrl.searchParams.get('status') as TicketStatus | null
  const tickets = await listTickets(status ? { status } : {})
  return NextResponse.json(tickets)
}

export async function POST(req: NextRequest) {
  const body = newTicket.safeParse(await req.json())
  if (!body.success) {
    return NextResponse.json({ error: body.error.flatten() }, { status: 422 })
  }
  const id = await createTicket(body.data)
  return NextResponse.json({ id }, { status: 201 })
}
