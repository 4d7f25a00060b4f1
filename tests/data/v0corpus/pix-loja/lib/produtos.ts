export type Produto = {
  id: string
  nome: string
  descricao: string
  preco: number
  categoria: 'mercearia' | 'bebidas' | 'cosméticos'
  imagem: string
  estoque: number
}

export const produtos: Produto[] = [
  {
    id: 'mel-bracatinga',
    nome: 'Mel de Bracatinga 500 g',
    descricao: 'Mel escuro de melato, colhido na serra catarinense.',
    preco: 42.9,
    categoria: 'mercearia',
    imagem: '/placeholder.svg',
    estoque: 18,
  },
  {
    id: 'cafe-mantiqueira',
    nome: 'Café Especial Mantiqueira 250 g',
    descricao: 'Torra média, notas de chocolate e laranja.',
    preco: 38,
    categoria: 'bebidas',
    imagem: '/placeholder.svg',
    estoque: 30,
  },
  {
    id: 'geleia-jabuticaba',
    nome: 'Geleia de Jabuticaba',
    descricao: 'Sem conservantes, adoçada com açúcar demerara.',
    preco: 24.5,
    categoria: 'mercearia',
    imagem: '/placeholder.svg',
    estoque: 0,
  },
  {
    id: 'sabonete-argila',
    nome: 'Sabonete de Argila Verde',
    descricao: 'Feito à mão em Paraty, vegano.',
    preco: 19.9,
    categoria: 'cosméticos',
    imagem: '/placeholder.svg',
    estoque: 42,
  },
]

export const formatarPreco = (valor: number) =>
  valor.toLocaleString('pt-BR', { style: 'currency', currency: 'BRL' })
