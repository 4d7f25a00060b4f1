"use client"

import { useState } from "react"
import { Button } from "@/components/ui/button"
import "@/lib/title"

const stages = ["Draft", "Client review", "Approved", "Live"] as const

type Item = { id: string; title: string; stage: (typeof stages)[number] }

export default function ApprovalsPage() {
  const [items, setItems] = useState<Item[]>([
    { id: "a1", title: "Spring menu landing page", stage: "Client review" },
    { id: "a2", title: "Festival ticket email", stage: "Draft" },
  ])

  const approve = (id: string) =>
    setItems((all) => all.map((item) => (item.id === id ? { ...item, stage: "Approved" } : item)))

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Approval workflow</h1>
      <div className="grid grid-cols-4 gap-4">
        {stages.map((stage) => (
          <div key={stage} className="rounded-lg border bg-white p-3">
            <h2 className="mb-2 text-sm font-semibold">{stage}</h2>
            {items
              .filter((item) => item.stage === stage)
              .map((item) => (
                <div key={item.id} className="rounded border p-2 text-sm">
                  {item.title}
                  {stage === "Client review" && (
                    <div className="mt-2 flex gap-2">
                      <Button size="sm" onClick={() => approve(item.id)}>
                        Approve
                      </Button>
                      <Button size="sm" variant="outline">
                        Reject
                      </Button>
                    </div>
                  )}
                </div>
              ))}
          </div>
        ))}
      </div>
    </div>
  )
}
