"use client"

import { useEffect, useState } from "react"
import { Elements } from "@stripe/react-stripe-js"
import { loadStripe } from "@stripe/stripe-js"
import CheckoutForm from "@/components/checkout-form"
import { useCart } from "@/hooks/use-cart"

const stripePromise = loadStripe(process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY!)

export default function CheckoutPage() {
  const { lines, subtotal, shipping, total } = useCart()
  const [clientSecret, setClientSecret] = useState<string>()

  useEffect(() => {
    if (lines.length === 0) return
    fetch("/api/create-payment-intent", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ items: lines.map((line) => ({ id: line.product.id, quantity: line.quantity })) }),
    })
      .then((res) => res.json())
      .then((data) => setClientSecret(data.clientSecret))
  }, [lines])

  return (
    <main className="container mx-auto grid max-w-5xl gap-10 px-4 py-12 md:grid-cols-[1fr_360px]">
      <section>
        <h1 className="mb-6 text-2xl font-bold">Checkout</h1>
        {clientSecret ? (
          <Elements stripe={stripePromise} options={{ clientSecret, appearance: { theme: "stripe" } }}>
            <CheckoutForm total={total} />
          </Elements>
        ) : (
          <p className="text-muted-foreground">{lines.length ? "Preparing payment…" : "Your cart is empty."}</p>
        )}
      </section>
      <aside className="h-fit rounded-lg border p-6">
        <h2 className="mb-4 font-semibold">Order summary</h2>
        {lines.map(({ product, quantity }) => (
          <div key={product.id} className="flex justify-between text-sm">
            <span>
              {quantity} × {product.name}
            </span>
            <span>${(product.price * quantity).toFixed(2)}</span>
          </div>
        ))}
        <div className="mt-4 space-y-1 border-t pt-4 text-sm">
          <div className="flex justify-between">
            <span>Subtotal</span>
            <span>${subtotal.toFixed(2)}</span>
          </div>
          <div className="flex justify-between">
            <span>Shipping</span>
            <span>{shipping === 0 ? "Free" : `$${shipping.toFixed(2)}`}</span>
          </div>
          <div className="flex justify-between text-base font-semibold">
            <span>Total</span>
            <span>${total.toFixed(2)}</span>
          </div>
        </div>
      </aside>
    </main>
  )
}
