"use client"

import { useState } from "react"
import { Loader2, Send } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group"
import { Textarea } from "@/components/ui/textarea"

type Status = "idle" | "sending" | "sent" | "error"

export function KontaktFormular() {
  const [status, setStatus] = useState<Status>("idle")
  const [budget, setBudget] = useState("10-25")

  async function handleSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setStatus("sending")
    const daten = Object.fromEntries(new FormData(event.currentTarget))
    const antwort = await fetch("/api/kontakt", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...daten, budget }),
    })
    setStatus(antwort.ok ? "sent" : "error")
  }

  if (status === "sent") {
    return (
      <div className="rounded-xl border bg-white p-8 text-center">
        <h3 className="text-xl font-semibold">Danke für Ihre Anfrage!</h3>
        <p className="mt-2 text-muted-foreground">Wir melden uns innerhalb von zwei Werktagen bei Ihnen.</p>
      </div>
    )
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-5 rounded-xl border bg-white p-8 shadow-sm">
      <div className="grid gap-5 md:grid-cols-2">
        <div className="grid gap-2">
          <Label htmlFor="name">Ihr Name *</Label>
          <Input id="name" name="name" required autoComplete="name" />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="firma">Unternehmen</Label>
          <Input id="firma" name="firma" autoComplete="organization" />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="email">E-Mail *</Label>
          <Input id="email" name="email" type="email" required autoComplete="email" />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="telefon">Telefon</Label>
          <Input id="telefon" name="telefon" type="tel" autoComplete="tel" />
        </div>
      </div>
      <div className="grid gap-2">
        <Label>Budgetrahmen</Label>
        <RadioGroup value={budget} onValueChange={setBudget} className="flex flex-wrap gap-4">
          {[
            ["<10", "unter 10.000 €"],
            ["10-25", "10.000 – 25.000 €"],
            [">25", "über 25.000 €"],
          ].map(([wert, label]) => (
            <label key={wert} className="flex items-center gap-2 text-sm">
              <RadioGroupItem value={wert} /> {label}
            </label>
          ))}
        </RadioGroup>
      </div>
      <div className="grid gap-2">
        <Label htmlFor="nachricht">Worum geht es? *</Label>
        <Textarea id="nachricht" name="nachricht" rows={5} required />
      </div>
      <p className="text-xs text-muted-foreground">
        Mit dem Absenden stimmen Sie der Verarbeitung Ihrer Daten gemäß unserer Datenschutzerklärung zu.
      </p>
      {status === "error" && (
        <p className="text-sm text-destructive">Senden fehlgeschlagen. Bitte schreiben Sie uns an hallo@nordlicht.digital.</p>
      )}
      <Button type="submit" disabled={status === "sending"} className="w-full md:w-auto">
        {status === "sending" ? <Loader2 className="mr-2 h-4 w-4 animate-spin" /> : <Send className="mr-2 h-4 w-4" />}
        Anfrage senden
      </Button>
    </form>
  )
}
