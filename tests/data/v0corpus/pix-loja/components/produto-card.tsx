'use client'

import Image from 'next/image'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardFooter } from '@/components/ui/card'
import { useCarrinho } from '@/components/carrinho-provider'
import { formatarPreco, type Produto } from '@/lib/produtos'

export const ProdutoCard = ({ produto }: { produto: Produto }) => {
  const { adicionar } = useCarrinho()
  const esgotado = produto.estoque === 0

  return (
    <Card className="overflow-hidden pt-0">
      <Image src={produto.imagem} alt={produto.nome} width={480} height={360} className="aspect-[4/3] w-full object-cover" />
      <CardContent className="space-y-1">
        <h3 className="font-medium">{produto.nome}</h3>
        <p className="text-sm text-muted-foreground">{produto.descricao}</p>
      </CardContent>
      <CardFooter className="justify-between">
        <span className="text-lg font-semibold">{formatarPreco(produto.preco)}</span>
        <Button size="sm" disabled={esgotado} onClick={() => adicionar(produto)}>
          {esgotado ? 'Esgotado' : 'Adicionar ao carrinho'}
        </Button>
      </CardFooter>
    </Card>
  )
}
