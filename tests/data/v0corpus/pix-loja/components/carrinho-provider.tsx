'use client'

import { createContext, useContext, useState } from 'react'
import type { Produto } from '@/lib/produtos'

export type ItemCarrinho = { produto: Produto; quantidade: number }

type CarrinhoContexto = {
  itens: ItemCarrinho[]
  total: number
  adicionar: (produto: Produto) => void
  remover: (id: string) => void
  limpar: () => void
}

const Contexto = createContext<CarrinhoContexto | undefined>(undefined)

export function CarrinhoProvider({ children }: { children: React.ReactNode }) {
  const [itens, setItens] = useState<ItemCarrinho[]>([])

  const adicionar = (produto: Produto) =>
    setItens((atual) => {
      const existente = atual.find((i) => i.produto.id === produto.id)
      return existente
        ? atual.map((i) => (i.produto.id === produto.id ? { ...i, quantidade: i.quantidade + 1 } : i))
        : [...atual, { produto, quantidade: 1 }]
    })

  const remover = (id: string) => setItens((atual) => atual.filter((i) => i.produto.id !== id))

  const total = itens.reduce((soma, i) => soma + i.produto.preco * i.quantidade, 0)

  return (
    <Contexto.Provider value={{ itens, total, adicionar, remover, limpar: () => setItens([]) }}>
      {children}
    </Contexto.Provider>
  )
}

export function useCarrinho() {
  const ctx = useContext(Contexto)
  if (!ctx) throw new Error('useCarrinho precisa do CarrinhoProvider')
  return ctx
}
