"use client"

import * as React from "react"

type ToasterProps = {
  position?: string
  richColors?: boolean
  closeButton?: boolean
  theme?: string
  className?: string
  [key: string]: unknown
}

/** Placeholder for the sonner Toaster: renders the region toasts appear in. */
function Toaster({ className }: ToasterProps) {
  return <section aria-label="Notifications" className={className} />
}

export { Toaster }
