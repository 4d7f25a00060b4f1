type ClassDictionary = Record<string, unknown>
type ClassValue = string | number | bigint | boolean | null | undefined | ClassDictionary | ClassValue[]

function toClass(value: ClassValue): string {
  if (!value) return ""
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    return String(value)
  }
  if (Array.isArray(value)) return value.map(toClass).filter(Boolean).join(" ")
  if (typeof value === "object") {
    return Object.keys(value)
      .filter((key) => Boolean(value[key]))
      .join(" ")
  }
  return ""
}

/** Joins class names (a dependency-free stand-in for clsx + tailwind-merge). */
export function cn(...inputs: ClassValue[]): string {
  return inputs.map(toClass).filter(Boolean).join(" ")
}
