"use client"

import Link from "next/link"
import { ShoppingBag } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Sheet, SheetContent, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet"
import { useCart } from "@/lib/cart"

export function CartSheet() {
  const { cartItems, subtotal } = useCart()
  const count = cartItems.reduce((sum, item) => sum + item.quantity, 0)
  return (
    <Sheet>
      <SheetTrigger asChild>
        <Button variant="outline" size="sm" className="bg-(--card)">
          <ShoppingBag className="mr-2 h-4 w-4" /> Basket ({count})
        </Button>
      </SheetTrigger>
      <SheetContent>
        <SheetHeader>
          <SheetTitle>Your basket</SheetTitle>
        </SheetHeader>
        <ul className="mt-6 space-y-2 text-sm">
          {cartItems.map((item) => (
            <li key={item.id} className="flex justify-between">
              <span>{item.name}</span>
              <span>× {item.quantity}</span>
            </li>
          ))}
        </ul>
        <div className="mt-6 flex justify-between font-medium">
          <span>Subtotal</span>
          <span>£{subtotal.toFixed(2)}</span>
        </div>
        <Button asChild className="mt-6 w-full">
          <Link href="/checkout">Proceed to checkout</Link>
        </Button>
      </SheetContent>
    </Sheet>
  )
}
