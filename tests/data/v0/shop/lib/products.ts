export type Product = {
  id: string
  name: string
  description: string
  price: number
  image: string
  tags: string[]
}

export const products: Product[] = [
  {
    id: "country-sourdough",
    name: "Country sourdough",
    description: "48-hour ferment, dark crust, open crumb.",
    price: 5.5,
    image: "/placeholder.svg",
    tags: ["bread", "vegan"],
  },
  {
    id: "cardamom-bun",
    name: "Cardamom bun",
    description: "Swedish-style knot with crushed cardamom sugar.",
    price: 3.2,
    image: "/placeholder.svg",
    tags: ["pastry"],
  },
  {
    id: "almond-croissant",
    name: "Almond croissant",
    description: "Twice-baked with frangipane and toasted almonds.",
    price: 3.8,
    image: "/placeholder.svg",
    tags: ["pastry"],
  },
  {
    id: "lemon-drizzle",
    name: "Lemon drizzle loaf",
    description: "Whole cake, serves eight.",
    price: 14,
    image: "/placeholder.svg",
    tags: ["cake"],
  },
]
