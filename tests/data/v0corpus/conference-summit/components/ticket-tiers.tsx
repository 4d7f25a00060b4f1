import Link from "next/link"
import { Check } from "lucide-react"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardFooter, CardHeader, CardTitle } from "@/components/ui/card"
import { getTicketTiers } from "@/lib/conference"

export function TicketTiers() {
  const tiers = getTicketTiers()

  return (
    <div className="grid gap-6 md:grid-cols-3">
      {tiers.map((tier) => (
        <Card key={tier.id} className="flex flex-col border-white/10 bg-zinc-900">
          <CardHeader>
            <div className="flex items-center justify-between">
              <CardTitle className="text-lg">{tier.name}</CardTitle>
              {tier.soldOut && <Badge variant="secondary">Sold out</Badge>}
            </div>
            <p className="text-3xl font-bold">€{tier.price}</p>
          </CardHeader>
          <CardContent className="flex-1 space-y-2">
            {tier.perks.map((perk) => (
              <p key={perk} className="flex items-center gap-2 text-sm text-zinc-300">
                <Check className="h-4 w-4 text-emerald-400" /> {perk}
              </p>
            ))}
          </CardContent>
          <CardFooter>
            <Button asChild className="w-full" disabled={tier.soldOut}>
              <Link href={`/register?tier=${tier.id}`}>{tier.soldOut ? "Join waitlist" : "Get tickets"}</Link>
            </Button>
          </CardFooter>
        </Card>
      ))}
    </div>
  )
}
