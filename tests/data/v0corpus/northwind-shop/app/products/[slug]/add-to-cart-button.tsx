"use client"

import { Button } from "@/components/ui/button"
import { useCart } from "@/hooks/use-cart"
import type { Product } from "@/lib/data"

export function AddToCartButton({ product }: { product: Product }) {
  const { add } = useCart()
  return (
    <Button size="lg" disabled={!product.inStock} onClick={() => add(product)}>
      Add to cart
    </Button>
  )
}
