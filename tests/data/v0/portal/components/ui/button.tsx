import * as React from "react"

import { cn } from "@/lib/utils"

export interface ButtonProps extends React.ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: "default" | "outline"
  size?: "default" | "sm"
}

export function Button({ className, variant = "default", size = "default", ...props }: ButtonProps) {
  return (
    <button
      className={cn(
        "inline-flex items-center rounded-md font-medium",
        variant === "default" ? "bg-brand text-white" : "border bg-white",
        size === "sm" ? "h-8 px-3 text-xs" : "h-10 px-4 text-sm",
        className
      )}
      {...props}
    />
  )
}
