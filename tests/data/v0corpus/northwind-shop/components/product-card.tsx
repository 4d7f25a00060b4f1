"use client"

import Image from "next/image"
import Link from "next/link"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardFooter } from "@/components/ui/card"
import { useCart } from "@/hooks/use-cart"
import type { Product } from "@/lib/data"

export function ProductCard({ product }: { product: Product }) {
  const { add } = useCart()

  return (
    <Card className="overflow-hidden">
      <Link href={`/products/${product.slug}`}>
        <Image
          src={product.image}
          alt={product.name}
          width={400}
          height={400}
          className="aspect-square w-full bg-muted object-cover"
        />
      </Link>
      <CardContent className="space-y-1 p-4">
        <div className="flex items-center justify-between">
          <h3 className="font-semibold">{product.name}</h3>
          <Badge variant="outline" className="capitalize">
            {product.roast}
          </Badge>
        </div>
        <p className="text-sm text-muted-foreground">{product.origin}</p>
        <p className="text-sm">{product.notes.join(" · ")}</p>
      </CardContent>
      <CardFooter className="flex items-center justify-between p-4 pt-0">
        <span className="text-lg font-semibold">${product.price.toFixed(2)}</span>
        <Button size="sm" disabled={!product.inStock} onClick={() => add(product)}>
          {product.inStock ? "Add to cart" : "Sold out"}
        </Button>
      </CardFooter>
    </Card>
  )
}
