'use client'

import Link from 'next/link'
import { ShoppingBasket } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { useCarrinho } from '@/components/carrinho-provider'

export function Header() {
  const { itens } = useCarrinho()
  const quantidade = itens.reduce((soma, i) => soma + i.quantidade, 0)

  return (
    <header className="border-b bg-emerald-950 text-emerald-50">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between px-4">
        <Link href="/" className="text-lg font-semibold">
          Empório Mata Atlântica
        </Link>
        <Link href="/carrinho" className="flex items-center gap-2 text-sm">
          <ShoppingBasket className="size-5" /> Carrinho
          {quantidade > 0 && <Badge className="bg-amber-400 text-emerald-950">{quantidade}</Badge>}
        </Link>
      </div>
    </header>
  )
}
