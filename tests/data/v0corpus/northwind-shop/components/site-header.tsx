"use client"

import Link from "next/link"
import { ShoppingBag } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Sheet, SheetContent, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet"
import { useCart } from "@/hooks/use-cart"

export function SiteHeader() {
  const { lines, count, subtotal, setQuantity } = useCart()

  return (
    <header className="border-b">
      <div className="container mx-auto flex h-16 items-center justify-between px-4">
        <Link href="/" className="text-lg font-semibold tracking-tight">
          Northwind Coffee
        </Link>
        <Sheet>
          <SheetTrigger asChild>
            <Button variant="outline" size="sm" className="gap-2">
              <ShoppingBag className="h-4 w-4" /> Cart ({count})
            </Button>
          </SheetTrigger>
          <SheetContent>
            <SheetHeader>
              <SheetTitle>Your cart</SheetTitle>
            </SheetHeader>
            <div className="mt-6 space-y-4">
              {lines.length === 0 && <p className="text-sm text-muted-foreground">Your cart is empty.</p>}
              {lines.map(({ product, quantity }) => (
                <div key={product.id} className="flex items-center justify-between text-sm">
                  <div>
                    <p className="font-medium">{product.name}</p>
                    <p className="text-muted-foreground">${product.price.toFixed(2)}</p>
                  </div>
                  <div className="flex items-center gap-2">
                    <Button size="icon" variant="ghost" onClick={() => setQuantity(product.id, quantity - 1)}>
                      −
                    </Button>
                    <span>{quantity}</span>
                    <Button size="icon" variant="ghost" onClick={() => setQuantity(product.id, quantity + 1)}>
                      +
                    </Button>
                  </div>
                </div>
              ))}
            </div>
            {lines.length > 0 && (
              <div className="mt-6 border-t pt-4">
                <div className="flex justify-between font-medium">
                  <span>Subtotal</span>
                  <span>${subtotal.toFixed(2)}</span>
                </div>
                <Button asChild className="mt-4 w-full">
                  <Link href="/checkout">Checkout</Link>
                </Button>
              </div>
            )}
          </SheetContent>
        </Sheet>
      </div>
    </header>
  )
}
