import type { Metadata } from 'next'
import { Inter } from 'next/font/google'
import Link from 'next/link'
import { LifeBuoy } from 'lucide-react'
import { Toaster } from '@/components/ui/sonner'
import './globals.css'

const inter = Inter({ subsets: ['latin'] })

export const metadata: Metadata = {
  title: 'Acme Support Desk',
  description: 'Internal help desk for the Acme customer success team',
  generator: 'v0.dev',
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className={inter.className}>
        <div className="flex min-h-screen">
          <aside className="w-56 border-r bg-muted/40 p-4">
            <div className="mb-8 flex items-center gap-2 font-semibold">
              <LifeBuoy className="h-5 w-5" /> Acme Support
            </div>
            <nav className="space-y-1 text-sm">
              <Link href="/" className="block rounded px-2 py-1.5 hover:bg-muted">
                Inbox
              </Link>
              <Link href="/tickets/new" className="block rounded px-2 py-1.5 hover:bg-muted">
                New ticket
              </Link>
            </nav>
          </aside>
          <main className="flex-1 p-8">{children}</main>
        </div>
        <Toaster />
      </body>
    </html>
  )
}
