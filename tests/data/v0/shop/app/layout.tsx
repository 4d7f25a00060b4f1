import type { Metadata } from "next"
import { Geist, Geist_Mono } from "next/font/google"
import "./globals.css"
import { CartProvider } from "@/lib/cart"
import { CartSheet } from "@/components/cart-sheet"

const geistSans = Geist({
  variable: "--font-geist-sans",
  subsets: ["latin"],
})

const geistMono = Geist_Mono({
  variable: "--font-geist-mono",
  subsets: ["latin"],
})

export const metadata: Metadata = {
  title: "Crumb & Co. Bakery",
  description: "Sourdough, pastries and cakes baked every morning in Leith.",
  generator: "v0.dev",
}

export default function RootLayout({
  children,
}: Readonly<{
  children: React.ReactNode
}>) {
  return (
    <html lang="en">
      <body className={`${geistSans.variable} ${geistMono.variable} antialiased`}>
        <CartProvider>
          <header className="flex items-center justify-between border-b px-6 py-4">
            <a href="/" className="font-semibold tracking-tight">
              Crumb &amp; Co.
            </a>
            <CartSheet />
          </header>
          {children}
        </CartProvider>
      </body>
    </html>
  )
}
