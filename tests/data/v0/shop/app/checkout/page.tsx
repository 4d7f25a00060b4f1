"use client"

import { useState } from "react"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"
import { Input } from "@/components/ui/input"
import { useCart } from "@/lib/cart"

export default function CheckoutPage() {
  const { cartItems, subtotal, clear } = useCart()
  const [email, setEmail] = useState("")
  const [placing, setPlacing] = useState(false)

  async function placeOrder(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setPlacing(true)
    const response = await fetch("/api/checkout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, items: cartItems }),
    })
    const { url } = await response.json()
    clear()
    window.location.href = url
  }

  return (
    <main className="mx-auto grid max-w-4xl gap-8 px-6 py-12 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Your order</CardTitle>
        </CardHeader>
        <CardContent className="space-y-3">
          {cartItems.map((item) => (
            <div key={item.id} className="flex justify-between text-sm">
              <span>
                {item.quantity} × {item.name}
              </span>
              <span>£{(item.price * item.quantity).toFixed(2)}</span>
            </div>
          ))}
          <div className="flex justify-between border-t pt-3 font-medium">
            <span>Subtotal</span>
            <span>£{subtotal.toFixed(2)}</span>
          </div>
        </CardContent>
      </Card>

      <form onSubmit={placeOrder} className="space-y-4">
        <h2 className="text-xl font-semibold">Checkout</h2>
        <Input
          type="email"
          required
          placeholder="you@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Button type="submit" className="w-full" disabled={placing || cartItems.length === 0}>
          {placing ? "Redirecting to payment…" : "Place order"}
        </Button>
      </form>
    </main>
  )
}
