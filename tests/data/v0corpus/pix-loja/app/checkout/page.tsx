'use client'

import { useEffect, useState } from 'react'
import { QRCodeSVG } from 'qrcode.react'
import { CheckCircle2, Copy } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { useCarrinho } from '@/components/carrinho-provider'
import { formatarPreco } from '@/lib/produtos'

type Cobranca = { txid: string; copiaECola: string; expiraEm: number }

const mascaraCpf = (valor: string) =>
  valor
    .replace(/\D/g, '')
    .slice(0, 11)
    .replace(/(\d{3})(\d)/, '$1.$2')
    .replace(/(\d{3})(\d)/, '$1.$2')
    .replace(/(\d{3})(\d{1,2})$/, '$1-$2')

export default function CheckoutPage() {
  const { itens, total, limpar } = useCarrinho()
  const [nome, setNome] = useState('')
  const [email, setEmail] = useState('')
  const [cpf, setCpf] = useState('')
  const [cobranca, setCobranca] = useState<Cobranca | null>(null)
  const [pago, setPago] = useState(false)
  const [copiado, setCopiado] = useState(false)
  const [erro, setErro] = useState('')

  const gerarPix = async () => {
    setErro('')
    const resposta = await fetch('/api/pix', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nome, email, cpf, valor: total, itens: itens.map((i) => [i.produto.id, i.quantidade]) }),
    })
    const dados = await resposta.json()
    if (!resposta.ok) {
      setErro(dados.erro ?? 'Não foi possível gerar o PIX')
      return
    }
    setCobranca(dados)
  }

  useEffect(() => {
    if (!cobranca || pago) return
    const intervalo = setInterval(async () => {
      const { status } = await fetch(`/api/pix/${cobranca.txid}`).then((r) => r.json())
      if (status === 'CONCLUIDA') {
        setPago(true)
        limpar()
      }
    }, 5000)
    return () => clearInterval(intervalo)
  }, [cobranca, pago, limpar])

  const copiar = async () => {
    if (!cobranca) return
    await navigator.clipboard.writeText(cobranca.copiaECola)
    setCopiado(true)
    setTimeout(() => setCopiado(false), 2000)
  }

  if (pago) {
    return (
      <main className="mx-auto flex max-w-md flex-col items-center gap-3 px-4 py-20 text-center">
        <CheckCircle2 className="size-12 text-emerald-600" />
        <h1 className="text-2xl font-semibold">Pagamento confirmado!</h1>
        <p className="text-muted-foreground">Enviamos os detalhes do pedido para {email}.</p>
      </main>
    )
  }

  return (
    <main className="mx-auto grid max-w-4xl gap-8 px-4 py-10 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Seus dados</CardTitle>
          <CardDescription>Usados para emitir a nota fiscal.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <div className="grid gap-2">
            <Label htmlFor="nome">Nome completo</Label>
            <Input id="nome" value={nome} onChange={(e) => setNome(e.target.value)} />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="email">E-mail</Label>
            <Input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="cpf">CPF</Label>
            <Input id="cpf" inputMode="numeric" placeholder="000.000.000-00" value={cpf} onChange={(e) => setCpf(mascaraCpf(e.target.value))} />
          </div>
          {erro && <p className="text-sm text-destructive">{erro}</p>}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Pagamento · {formatarPreco(total)}</CardTitle>
        </CardHeader>
        <CardContent>
          <Tabs defaultValue="pix">
            <TabsList className="w-full">
              <TabsTrigger value="pix">PIX</TabsTrigger>
              <TabsTrigger value="boleto" disabled>
                Boleto (em breve)
              </TabsTrigger>
            </TabsList>
            <TabsContent value="pix" className="mt-4 space-y-4">
              {!cobranca ? (
                <Button className="w-full" disabled={!nome || !email || cpf.length < 14 || itens.length === 0} onClick={gerarPix}>
                  Gerar QR Code PIX
                </Button>
              ) : (
                <div className="flex flex-col items-center gap-4">
                  <QRCodeSVG value={cobranca.copiaECola} size={208} />
                  <p className="text-center text-sm text-muted-foreground">
                    Abra o app do seu banco, escolha <strong>Pagar com PIX</strong> e escaneie o código — ou use o PIX copia e cola:
                  </p>
                  <div className="flex w-full gap-2">
                    <Input readOnly value={cobranca.copiaECola} className="font-mono text-xs" />
                    <Button variant="outline" onClick={copiar}>
                      <Copy /> {copiado ? 'Copiado!' : 'Copiar'}
                    </Button>
                  </div>
                  <p className="text-xs text-muted-foreground">Aguardando pagamento… o código expira em 30 minutos.</p>
                </div>
              )}
            </TabsContent>
          </Tabs>
        </CardContent>
      </Card>
    </main>
  )
}
