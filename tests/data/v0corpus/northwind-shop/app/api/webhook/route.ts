import { NextResponse } from "next/server"
import type Stripe from "stripe"
import { stripe } from "@/lib/stripe"

export async function POST(req: Request) {
  const signature = req.headers.get("stripe-signature")
  const body = await req.text()

  let event: Stripe.Event
  try {
    event = stripe.webhooks.constructEvent(body, signature!, process.env.STRIPE_WEBHOOK_SECRET!)
  } catch (err) {
    console.error("Webhook signature verification failed", err)
    return NextResponse.json({ error: "Invalid signature" }, { status: 400 })
  }

  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object as Stripe.PaymentIntent
      console.log(`Order paid: ${intent.id} (${intent.amount / 100} ${intent.currency})`)
      break
    }
    case "payment_intent.payment_failed":
      console.warn("Payment failed", event.data.object)
      break
    default:
      break
  }

  return NextResponse.json({ received: true })
}
