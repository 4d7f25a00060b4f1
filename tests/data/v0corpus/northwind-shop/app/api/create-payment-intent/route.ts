import { NextResponse } from "next/server"
import { stripe } from "@/lib/stripe"
import { FREE_SHIPPING_FROM, SHIPPING_FLAT_RATE, products } from "@/lib/data"

type Item = { id: string; quantity: number }

export async function POST(req: Request) {
  const { items }: { items: Item[] } = await req.json()

  // Prices come from the catalogue, never from the client.
  const subtotal = items.reduce((sum, item) => {
    const product = products.find((p) => p.id === item.id)
    return product ? sum + product.price * item.quantity : sum
  }, 0)
  const shipping = subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FLAT_RATE

  const paymentIntent = await stripe.paymentIntents.create({
    amount: Math.round((subtotal + shipping) * 100),
    currency: "usd",
    automatic_payment_methods: { enabled: true },
    metadata: { items: JSON.stringify(items) },
  })

  return NextResponse.json({ clientSecret: paymentIntent.client_secret })
}
