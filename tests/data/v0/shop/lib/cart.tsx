"use client"

import { createContext, useContext, useMemo, useState } from "react"
import type { Product } from "@/lib/products"

export type CartItem = Pick<Product, "id" | "name" | "price"> & { quantity: number }

type CartContextValue = {
  cartItems: CartItem[]
  subtotal: number
  addToCart: (product: Product) => void
  clear: () => void
}

const CartContext = createContext<CartContextValue | null>(null)

export function CartProvider({ children }: { children: React.ReactNode }) {
  const [cartItems, setCartItems] = useState<CartItem[]>([])

  const value = useMemo<CartContextValue>(
    () => ({
      cartItems,
      subtotal: cartItems.reduce((sum, item) => sum + item.price * item.quantity, 0),
      addToCart: (product) =>
        setCartItems((items) => {
          const existing = items.find((item) => item.id === product.id)
          if (existing) {
            return items.map((item) =>
              item.id === product.id ? { ...item, quantity: item.quantity + 1 } : item,
            )
          }
          return [...items, { id: product.id, name: product.name, price: product.price, quantity: 1 }]
        }),
      clear: () => setCartItems([]),
    }),
    [cartItems],
  )

  return <CartContext.Provider value={value}>{children}</CartContext.Provider>
}

export function useCart() {
  const context = useContext(CartContext)
  if (!context) throw new Error("useCart must be used inside CartProvider")
  return context
}
