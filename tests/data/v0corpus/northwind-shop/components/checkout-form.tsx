"use client"

import { useState, type FormEvent } from "react"
import { PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"

export default function CheckoutForm({ total }: { total: number }) {
  const stripe = useStripe()
  const elements = useElements()
  const [email, setEmail] = useState("")
  const [address, setAddress] = useState({ name: "", line1: "", city: "", postalCode: "" })
  const [error, setError] = useState<string | null>(null)
  const [paying, setPaying] = useState(false)

  const handleSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!stripe || !elements) return
    setPaying(true)
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: {
        return_url: `${window.location.origin}/checkout/success`,
        receipt_email: email,
        shipping: {
          name: address.name,
          address: { line1: address.line1, city: address.city, postal_code: address.postalCode, country: "US" },
        },
      },
    })
    if (error) setError(error.message ?? "Payment failed")
    setPaying(false)
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-6">
      <div className="space-y-3">
        <h2 className="font-semibold">Shipping</h2>
        <div className="grid gap-1.5">
          <Label htmlFor="email">Email</Label>
          <Input id="email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="name">Full name</Label>
          <Input id="name" required value={address.name} onChange={(e) => setAddress({ ...address, name: e.target.value })} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="line1">Street address</Label>
          <Input id="line1" required value={address.line1} onChange={(e) => setAddress({ ...address, line1: e.target.value })} />
        </div>
        <div className="grid grid-cols-2 gap-3">
          <Input placeholder="City" required value={address.city} onChange={(e) => setAddress({ ...address, city: e.target.value })} />
          <Input
            placeholder="ZIP"
            required
            value={address.postalCode}
            onChange={(e) => setAddress({ ...address, postalCode: e.target.value })}
          />
        </div>
      </div>
      <div className="space-y-3">
        <h2 className="font-semibold">Payment</h2>
        <PaymentElement />
      </div>
      {error && <p className="text-sm text-destructive">{error}</p>}
      <Button type="submit" className="w-full" disabled={!stripe || paying}>
        {paying ? "Processing…" : `Pay $${total.toFixed(2)}`}
      </Button>
    </form>
  )
}
