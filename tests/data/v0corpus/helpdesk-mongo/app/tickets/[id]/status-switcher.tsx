'use client'

import { useState } from 'react'
import { useRouter } from 'next/navigation'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import type { TicketStatus } from '@/lib/tickets'

const order: TicketStatus[] = ['open', 'pending', 'resolved', 'closed']

export function StatusSwitcher({ id, status }: { id: string; status: TicketStatus }) {
  const router = useRouter()
  const [current, setCurrent] = useState(status)

  async function change(next: TicketStatus) {
    setCurrent(next)
    await fetch(`/api/tickets/${id}`, { method: 'PATCH', body: JSON.stringify({ status: next }) })
    toast.success(`Ticket marked as ${next}`)
    router.refresh()
  }

  return (
    <div className="flex gap-2">
      {order.map((s) => (
        <Button key={s} size="sm" variant={s === current ? 'default' : 'outline'} className="capitalize" onClick={() => change(s)}>
          {s}
        </Button>
      ))}
    </div>
  )
}
