import { Code2, LineChart, ShoppingCart, Wrench } from "lucide-react"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"

const leistungen = [
  {
    icon: Code2,
    titel: "Web-Apps",
    text: "Kundenportale und interne Werkzeuge, gebaut mit Next.js und TypeScript.",
  },
  {
    icon: ShoppingCart,
    titel: "E-Commerce",
    text: "Shopify- und Shopware-Shops inklusive Anbindung an Ihre Warenwirtschaft.",
  },
  {
    icon: LineChart,
    titel: "SEO & Performance",
    text: "Messbar schnellere Seiten. Core Web Vitals stehen bei uns ganz oben auf der Agenda.",
  },
  {
    icon: Wrench,
    titel: "Wartung",
    text: "Updates, Monitoring und ein fester Ansprechpartner – kein Ticket-Pingpong mit einer Hotline.",
  },
]

export function Leistungen() {
  return (
    <section id="leistungen" className="container mx-auto px-6 py-24">
      <h2 className="mb-12 text-3xl font-bold">Was wir machen</h2>
      <div className="grid gap-6 md:grid-cols-2 lg:grid-cols-4">
        {leistungen.map(({ icon: Icon, titel, text }) => (
          <Card key={titel}>
            <CardHeader>
              <Icon className="h-8 w-8 text-sky-500" />
              <CardTitle className="text-lg">{titel}</CardTitle>
            </CardHeader>
            <CardContent className="text-sm text-muted-foreground">{text}</CardContent>
          </Card>
        ))}
      </div>
    </section>
  )
}
