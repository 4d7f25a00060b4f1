import { NextResponse } from "next/server"
import { z } from "zod"
import { stripe } from "@/lib/stripe"

const schema = z.object({
  email: z.string().email(),
  items: z.array(z.object({ id: z.string(), name: z.string(), price: z.number(), quantity: z.number() })),
})

export async function POST(request: Request) {
  const body = schema.parse(await request.json())
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    customer_email: body.email,
    line_items: body.items.map((item) => ({
      quantity: item.quantity,
      price_data: {
        currency: "gbp",
        unit_amount: Math.round(item.price * 100),
        product_data: { name: item.name },
      },
    })),
    success_url: `${process.env.NEXT_PUBLIC_SITE_URL}/checkout/success`,
    cancel_url: `${process.env.NEXT_PUBLIC_SITE_URL}/checkout`,
  })
  return NextResponse.json({ url: session.url })
}
