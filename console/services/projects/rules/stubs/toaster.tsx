"use client"

import { useToast } from "@/hooks/use-toast"

export function Toaster() {
  const { toasts } = useToast()
  return (
    <section aria-label="Notifications" className="fixed bottom-4 right-4 z-50 grid gap-2">
      {toasts.map((entry) => (
        <div key={entry.id} className="rounded-md border bg-background p-4 shadow-lg">
          {entry.title ? <div className="text-sm font-semibold">{entry.title}</div> : null}
          {entry.description ? <div className="text-sm opacity-90">{entry.description}</div> : null}
        </div>
      ))}
    </section>
  )
}
