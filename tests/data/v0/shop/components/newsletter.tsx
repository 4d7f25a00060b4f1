import { useState } from "react"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"

export function Newsletter() {
  const [email, setEmail] = useState("")
  const [done, setDone] = useState(false)

  return (
    <section className="mt-16 rounded-xl border p-8">
      <h2 className="text-xl font-semibold">Get the weekly bake list</h2>
      <p className="text-sm text-muted-foreground">Subscribe and hear about specials first.</p>
      {done ? (
        <p className="mt-4 text-sm">Thanks! See you on Friday.</p>
      ) : (
        <form
          className="mt-4 flex gap-2"
          onSubmit={(e) => {
            e.preventDefault()
            setDone(true)
          }}
        >
          <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="Email" />
          <Button type="submit">Subscribe</Button>
        </form>
      )}
    </section>
  )
}
