import type { Metadata } from 'next'
import { Geist, Geist_Mono } from 'next/font/google'
import { Analytics } from '@vercel/analytics/next'
import { CarrinhoProvider } from '@/components/carrinho-provider'
import { Header } from '@/components/header'
import './globals.css'

const _geist = Geist({ subsets: ["latin"] });
const _geistMono = Geist_Mono({ subsets: ["latin"] });

export const metadata: Metadata = {
  title: 'Empório Mata Atlântica',
  description: 'Produtos naturais de pequenos produtores, entregues em todo o Brasil',
  generator: 'v0.app',
}

export default function RootLayout({
  children,
}: Readonly<{
  children: React.ReactNode
}>) {
  return (
    <html lang="pt-BR">
      <body className={`font-sans antialiased`}>
        <CarrinhoProvider>
          <Header />
          {children}
        </CarrinhoProvider>
        <Analytics />
      </body>
    </html>
  )
}
