"use client"

import { useState } from "react"
import { Button } from "@/components/ui/button"

export function ContactForm() {
  const [sent, setSent] = useState(false)

  if (sent) {
    return <p className="mt-8 rounded-md bg-neutral-100 p-4">Thanks, we will be in touch soon.</p>
  }

  return (
    <form
      className="mt-8 space-y-4"
      onSubmit={(event) => {
        event.preventDefault()
        setSent(true)
      }}
    >
      <input name="name" required placeholder="Your name" className="h-10 w-full rounded-md border px-3" />
      <input name="email" type="email" required placeholder="Email" className="h-10 w-full rounded-md border px-3" />
      <textarea name="message" required placeholder="How can we help?" className="min-h-32 w-full rounded-md border p-3" />
      <Button type="submit">Send message</Button>
    </form>
  )
}
