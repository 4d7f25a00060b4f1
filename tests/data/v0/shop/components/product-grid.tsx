"use client"

import Image from "next/image"
import { Plus } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardFooter } from "@/components/ui/card"
import { useCart } from "@/lib/cart"
import type { Product } from "@/lib/products"

function ProductCard({ product }: { product: Product }) {
  const { addToCart } = useCart()
  return (
    <Card className="overflow-hidden rounded-xs shadow-sm">
      <Image src={product.image} alt={product.name} width={400} height={300} className="aspect-[4/3] object-cover" />
      <CardContent className="pt-4">
        <h3 className="font-medium">{product.name}</h3>
        <p className="text-sm text-muted-foreground">{product.description}</p>
      </CardContent>
      <CardFooter className="flex items-center justify-between">
        <span className="font-semibold">£{product.price.toFixed(2)}</span>
        <Button size="sm" className="outline-hidden focus-visible:ring-2" onClick={() => addToCart(product)}>
          <Plus className="mr-1 h-4 w-4" /> Add to cart
        </Button>
      </CardFooter>
    </Card>
  )
}

export function ProductGrid({ products }: { products: Product[] }) {
  return (
    <div className="grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
      {products.map((product) => (
        <ProductCard key={product.id} product={product} />
      ))}
    </div>
  )
}
