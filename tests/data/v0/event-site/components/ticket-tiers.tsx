import { Check } from "lucide-react"
import { Button } from "@/components/ui/button"

const tickets = [
  { id: "day", name: "Day pass", price: 45, perks: ["All stages", "One day"] },
  { id: "weekend", name: "Weekend pass", price: 110, perks: ["All stages", "Three days"] },
  { id: "vip", name: "VIP", price: 240, perks: ["Front-row seating", "Artist meet & greet"] },
]

export function TicketTiers() {
  return (
    <section className="mt-16">
      <h2 className="text-2xl font-semibold">Buy tickets</h2>
      <div className="mt-6 grid gap-6 md:grid-cols-3">
        {tickets.map((tier) => (
          <div key={tier.id} className="rounded-lg border p-6">
            <h3 className="font-semibold">{tier.name}</h3>
            <p className="mt-2 text-3xl font-bold">£{tier.price}</p>
            <ul className="mt-4 space-y-1 text-sm">
              {tier.perks.map((perk) => (
                <li key={perk} className="flex items-center gap-2">
                  <Check className="h-4 w-4" /> {perk}
                </li>
              ))}
            </ul>
            <Button className="mt-6 w-full">Choose</Button>
          </div>
        ))}
      </div>
    </section>
  )
}
