import type { Metadata } from "next"
import GeistSans from "geist/font/sans"
import Link from "next/link"
import "./globals.css"
import { Toaster } from "@/components/ui/toaster"

export const metadata: Metadata = {
  title: "Northwind client portal",
  description: "Invoices, support and approvals for Northwind Digital clients.",
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className={GeistSans.className}>
      <body>
        <div className="flex min-h-screen">
          <aside className="w-56 border-r bg-white p-4 text-sm">
            <nav className="space-y-2">
              <Link href="/dashboard">Dashboard</Link>
              <Link href="/invoices">Invoices</Link>
              <Link href="/tickets">Support tickets</Link>
              <Link href="/contacts">Contacts</Link>
              <Link href="/approvals">Approvals</Link>
            </nav>
          </aside>
          <div className="flex-1 p-8">{children}</div>
        </div>
        <Toaster />
      </body>
    </html>
  )
}
