import { ProductCard } from "@/components/product-card"
import { products } from "@/lib/data"

export default function Home() {
  return (
    <main className="container mx-auto px-4 py-12">
      <section className="mb-12 max-w-2xl">
        <h1 className="text-4xl font-bold tracking-tight">Fresh roasts, every Tuesday.</h1>
        <p className="mt-3 text-muted-foreground">
          We roast in small batches and ship within 48 hours. Free shipping on orders over $45.
        </p>
      </section>
      <div className="grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
        {products.map((product) => (
          <ProductCard key={product.id} product={product} />
        ))}
      </div>
    </main>
  )
}
