import { NextResponse } from 'next/server'
import { cpfValido, gerarPixCopiaECola } from '@/lib/pix'

export async function POST(request: Request) {
  const { nome, email, cpf, valor } = await request.json()

  if (!cpfValido(cpf)) {
    return NextResponse.json({ erro: 'CPF inválido' }, { status: 400 })
  }

  const txid = `EMP${Date.now()}`
  const copiaECola = gerarPixCopiaECola({
    chave: process.env.PIX_CHAVE ?? 'financeiro@emporiomata.com.br',
    valor: Number(valor),
    nomeRecebedor: 'Emporio Mata Atlantica',
    cidade: 'Paraty',
    txid,
  })

  console.log(`Pedido ${txid} criado para ${nome} <${email}>`)
  return NextResponse.json({ txid, copiaECola, expiraEm: Date.now() + 30 * 60 * 1000 })
}
