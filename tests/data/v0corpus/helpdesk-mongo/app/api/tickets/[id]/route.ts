import { NextResponse } from 'next/server'
import { getTicket, updateTicket } from '@/lib/tickets'

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const ticket = await getTicket(id)
  if (!ticket) return NextResponse.json({ error: 'Not found' }, { status: 404 })
  return NextResponse.json(ticket)
}

export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const changes = await req.json()
  await updateTicket(id, changes)
  return NextResponse.json({ ok: true })
}
