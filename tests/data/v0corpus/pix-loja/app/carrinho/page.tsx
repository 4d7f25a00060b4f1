'use client'

import Link from 'next/link'
import { Trash2 } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Separator } from '@/components/ui/separator'
import { useCarrinho } from '@/components/carrinho-provider'
import { formatarPreco } from '@/lib/produtos'

export default function CarrinhoPage() {
  const { itens, total, remover } = useCarrinho()

  if (itens.length === 0) {
    return (
      <main className="mx-auto max-w-2xl px-4 py-16 text-center">
        <p className="text-muted-foreground">Seu carrinho está vazio.</p>
        <Button asChild variant="link">
          <Link href="/">Continuar comprando</Link>
        </Button>
      </main>
    )
  }

  return (
    <main className="mx-auto max-w-2xl px-4 py-10">
      <h1 className="mb-6 text-2xl font-semibold">Seu carrinho</h1>
      <ul className="space-y-4">
        {itens.map(({ produto, quantidade }) => (
          <li key={produto.id} className="flex items-center justify-between">
            <span>
              {quantidade}× {produto.nome}
            </span>
            <span className="flex items-center gap-3">
              {formatarPreco(produto.preco * quantidade)}
              <Button variant="ghost" size="icon" onClick={() => remover(produto.id)} aria-label="Remover">
                <Trash2 />
              </Button>
            </span>
          </li>
        ))}
      </ul>
      <Separator className="my-6" />
      <div className="flex items-center justify-between text-lg font-semibold">
        <span>Total</span>
        <span>{formatarPreco(total)}</span>
      </div>
      <Button asChild size="lg" className="mt-6 w-full">
        <Link href="/checkout">Finalizar compra</Link>
      </Button>
    </main>
  )
}
