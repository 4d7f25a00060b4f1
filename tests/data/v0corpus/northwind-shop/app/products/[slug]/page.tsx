import Image from "next/image"
import { notFound } from "next/navigation"
import { getProduct, products } from "@/lib/data"
import { AddToCartButton } from "./add-to-cart-button"

export function generateStaticParams() {
  return products.map((product) => ({ slug: product.slug }))
}

export default async function ProductPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const product = getProduct(slug)
  if (!product) notFound()

  return (
    <main className="container mx-auto grid gap-10 px-4 py-12 md:grid-cols-2">
      <Image src={product.image} alt={product.name} width={600} height={600} className="rounded-lg bg-muted" />
      <div className="space-y-4">
        <h1 className="text-3xl font-bold">{product.name}</h1>
        <p className="text-muted-foreground">
          {product.origin} · {product.weightGrams} g · {product.roast} roast
        </p>
        <p>Tasting notes: {product.notes.join(", ")}</p>
        <p className="text-2xl font-semibold">${product.price.toFixed(2)}</p>
        <AddToCartButton product={product} />
      </div>
    </main>
  )
}
