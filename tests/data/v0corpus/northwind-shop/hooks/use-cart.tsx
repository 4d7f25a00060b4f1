"use client"

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react"
import { FREE_SHIPPING_FROM, SHIPPING_FLAT_RATE, type Product } from "@/lib/data"

type CartLine = { product: Product; quantity: number }

type CartContextValue = {
  lines: CartLine[]
  count: number
  subtotal: number
  shipping: number
  total: number
  add: (product: Product) => void
  setQuantity: (productId: string, quantity: number) => void
  clear: () => void
}

const CartContext = createContext<CartContextValue | null>(null)

export function CartProvider({ children }: { children: ReactNode }) {
  const [lines, setLines] = useState<CartLine[]>([])

  useEffect(() => {
    const saved = window.localStorage.getItem("northwind-cart")
    if (saved) setLines(JSON.parse(saved))
  }, [])

  useEffect(() => {
    window.localStorage.setItem("northwind-cart", JSON.stringify(lines))
  }, [lines])

  const value = useMemo<CartContextValue>(() => {
    const subtotal = lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0)
    const shipping = subtotal === 0 || subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FLAT_RATE
    return {
      lines,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      subtotal,
      shipping,
      total: subtotal + shipping,
      add: (product) =>
        setLines((current) => {
          const existing = current.find((line) => line.product.id === product.id)
          if (existing) {
            return current.map((line) =>
              line.product.id === product.id ? { ...line, quantity: line.quantity + 1 } : line
            )
          }
          return [...current, { product, quantity: 1 }]
        }),
      setQuantity: (productId, quantity) =>
        setLines((current) =>
          quantity <= 0
            ? current.filter((line) => line.product.id !== productId)
            : current.map((line) => (line.product.id === productId ? { ...line, quantity } : line))
        ),
      clear: () => setLines([]),
    }
  }, [lines])

  return <CartContext.Provider value={value}>{children}</CartContext.Provider>
}

export function useCart() {
  const context = useContext(CartContext)
  if (!context) throw new Error("useCart must be used inside <CartProvider>")
  return context
}
