"use client"

import { useState } from "react"
import { Button } from "@/components/ui/button"
import { Badge } from "@/components/ui/badge"
import { useToast } from "@/hooks/use-toast"

type Ticket = { id: number; subject: string; priority: "low" | "normal" | "urgent"; status: string }

const initial: Ticket[] = [
  { id: 1042, subject: "Checkout page shows wrong VAT", priority: "urgent", status: "open" },
  { id: 1039, subject: "Add a second admin user", priority: "normal", status: "in_progress" },
  { id: 1021, subject: "Logo looks blurry on retina", priority: "low", status: "resolved" },
]

export default function TicketsPage() {
  const [tickets, setTickets] = useState(initial)
  const [subject, setSubject] = useState("")
  const { toast } = useToast()

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Support tickets</h1>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault()
          setTickets([{ id: Date.now(), subject, priority: "normal", status: "open" }, ...tickets])
          setSubject("")
          toast({ title: "Support request sent", description: "We reply within one working day." })
        }}
      >
        <input className="flex-1 rounded-md border px-3" value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="Describe the problem" />
        <Button type="submit">Open a ticket</Button>
      </form>
      <ul className="divide-y rounded-md border bg-white">
        {tickets.map((ticket) => (
          <li key={ticket.id} className="flex items-center justify-between p-4">
            <span>
              #{ticket.id} {ticket.subject}
            </span>
            <span className="flex gap-2">
              <Badge variant={ticket.priority === "urgent" ? "destructive" : "secondary"}>{ticket.priority}</Badge>
              <Badge variant="outline">{ticket.status}</Badge>
            </span>
          </li>
        ))}
      </ul>
    </div>
  )
}
