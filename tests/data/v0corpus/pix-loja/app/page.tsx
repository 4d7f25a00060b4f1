import { ProdutoCard } from '@/components/produto-card'
import { produtos } from '@/lib/produtos'

export default function Home() {
  return (
    <main className="mx-auto max-w-6xl px-4 py-10">
      <h1 className="text-3xl font-semibold">Direto do produtor</h1>
      <p className="mt-2 text-muted-foreground">Frete grátis acima de R$ 150 · Pagamento instantâneo via PIX</p>
      <div className="mt-8 grid gap-6 sm:grid-cols-2 lg:grid-cols-4">
        {produtos.map((produto) => (
          <ProdutoCard key={produto.id} produto={produto} />
        ))}
      </div>
    </main>
  )
}
