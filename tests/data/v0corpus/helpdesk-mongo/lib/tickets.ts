import { ObjectId } from 'mongodb'
import clientPromise from '@/lib/mongodb'

export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed'
export type TicketPriority = 'low' | 'medium' | 'high' | 'urgent'

export interface Ticket {
  _id: string
  subject: string
  description: string
  requesterName: string
  requesterEmail: string
  status: TicketStatus
  priority: TicketPriority
  assignee?: string
  createdAt: string
  updatedAt: string
}

async function collection() {
  const client = await clientPromise
  return client.db('helpdesk').collection('tickets')
}

export async function listTickets(filter: { status?: TicketStatus } = {}): Promise<Ticket[]> {
  const tickets = await (await collection())
    .find(filter.status ? { status: filter.status } : {})
    .sort({ createdAt: -1 })
    .limit(200)
    .toArray()
  return tickets.map(({ _id, ...rest }) => ({ _id: _id.toString(), ...rest }) as Ticket)
}

export async function getTicket(id: string) {
  const ticket = await (await collection()).findOne({ _id: new ObjectId(id) })
  return ticket ? ({ ...ticket, _id: ticket._id.toString() } as Ticket) : null
}

export async function createTicket(input: Pick<Ticket, 'subject' | 'description' | 'requesterName' | 'requesterEmail' | 'priority'>) {
  const now = new Date().toISOString()
  const result = await (await collection()).insertOne({ ...input, status: 'open', createdAt: now, updatedAt: now })
  return result.insertedId.toString()
}

export async function updateTicket(id: string, changes: Partial<Pick<Ticket, 'status' | 'priority' | 'assignee'>>) {
  await (await collection()).updateOne(
    { _id: new ObjectId(id) },
    { $set: { ...changes, updatedAt: new Date().toISOString() } }
  )
}
