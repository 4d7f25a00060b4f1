export interface Product {
  id: string
  slug: string
  name: string
  origin: string
  roast: "light" | "medium" | "dark"
  notes: string[]
  price: number
  weightGrams: number
  image: string
  inStock: boolean
}

export const products: Product[] = [
  {
    id: "prod_eth_01",
    slug: "yirgacheffe-konga",
    name: "Yirgacheffe Konga",
    origin: "Ethiopia",
    roast: "light",
    notes: ["jasmine", "bergamot", "peach"],
    price: 19.5,
    weightGrams: 340,
    image: "/placeholder.svg",
    inStock: true,
  },
  {
    id: "prod_col_02",
    slug: "huila-las-flores",
    name: "Huila Las Flores",
    origin: "Colombia",
    roast: "medium",
    notes: ["red apple", "caramel", "cocoa"],
    price: 17,
    weightGrams: 340,
    image: "/placeholder.svg",
    inStock: true,
  },
  {
    id: "prod_sum_03",
    slug: "sumatra-gayo",
    name: "Sumatra Gayo",
    origin: "Indonesia",
    roast: "dark",
    notes: ["cedar", "dark chocolate", "molasses"],
    price: 16,
    weightGrams: 340,
    image: "/placeholder.svg",
    inStock: false,
  },
  {
    id: "prod_blend_04",
    slug: "northwind-house-blend",
    name: "Northwind House Blend",
    origin: "Brazil & Guatemala",
    roast: "medium",
    notes: ["hazelnut", "milk chocolate"],
    price: 14.5,
    weightGrams: 340,
    image: "/placeholder.svg",
    inStock: true,
  },
]

export const SHIPPING_FLAT_RATE = 5.95
export const FREE_SHIPPING_FROM = 45

export function getProduct(slug: string) {
  return products.find((product) => product.slug === slug)
}
