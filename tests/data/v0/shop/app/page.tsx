import { ProductGrid } from "@/components/product-grid"
import { Newsletter } from "@/components/newsletter"
import { Badge } from "@/components/ui/badge"
import { products } from "@/lib/products"

export default function Home() {
  return (
    <main className="mx-auto max-w-6xl px-6 py-12">
      <section className="mb-12 rounded-xl bg-linear-to-r from-amber-100 to-orange-50 p-10 shadow-xs">
        <Badge variant="secondary">Fresh every morning</Badge>
        <h1 className="mt-4 text-4xl font-bold tracking-tight">Bread worth getting up for</h1>
        <p className="mt-2 max-w-xl text-muted-foreground">
          Naturally leavened loaves, laminated pastries and celebration cakes from our Leith
          bakery. Order by 8pm for next-day collection.
        </p>
      </section>

      <h2 className="mb-6 text-2xl font-semibold">Today&apos;s bakes</h2>
      <ProductGrid products={products} />

      <Newsletter />

      <footer className="mt-16 border-t pt-6 text-sm text-muted-foreground">
        Questions about an order? <a href="mailto:hello@crumbandco.example">Chat with us</a>
      </footer>
    </main>
  )
}
