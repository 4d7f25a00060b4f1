import * as React from "react"

import { cn } from "@/lib/utils"

const variants: Record<string, string> = {
  default: "border-transparent bg-primary text-primary-foreground",
  secondary: "border-transparent bg-secondary text-secondary-foreground",
  destructive: "border-transparent bg-destructive text-destructive-foreground",
  outline: "text-foreground",
}

function badgeVariants({
  variant,
  className,
}: { variant?: string | null; className?: string } = {}): string {
  return cn(
    "inline-flex items-center rounded-full border px-2.5 py-0.5 text-xs font-semibold transition-colors",
    variants[variant ?? "default"] ?? variants.default,
    className
  )
}

export interface BadgeProps extends React.HTMLAttributes<HTMLDivElement> {
  variant?: string | null
  asChild?: boolean
}

function Badge({ className, variant, asChild: _asChild, ...props }: BadgeProps) {
  return <div className={badgeVariants({ variant, className })} {...props} />
}

export { Badge, badgeVariants }
