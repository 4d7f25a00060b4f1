import { NextResponse } from 'next/server'

// Consulta o status do pagamento no PSP (simulado até a integração com o banco).
export async function GET(_request: Request, { params }: { params: Promise<{ txid: string }> }) {
  const { txid } = await params
  const criadoEm = Number(txid.replace('EMP', ''))
  const pago = Date.now() - criadoEm > 45_000
  return NextResponse.json({ txid, status: pago ? 'CONCLUIDA' : 'ATIVA' })
}
