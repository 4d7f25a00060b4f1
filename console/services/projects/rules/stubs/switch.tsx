"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

interface SwitchProps
  extends Omit<React.InputHTMLAttributes<HTMLInputElement>, "checked" | "defaultChecked"> {
  checked?: boolean | "indeterminate"
  defaultChecked?: boolean
  onCheckedChange?: (checked: boolean) => void
}

const Switch = React.forwardRef<HTMLInputElement, SwitchProps>(
  ({ className, checked, onCheckedChange, onChange, ...props }, ref) => (
    <input
      ref={ref}
      type="checkbox"
      role="switch"
      checked={checked === undefined ? undefined : checked === true}
      className={cn("h-6 w-11 shrink-0 cursor-pointer rounded-full", className)}
      onChange={(event) => {
        onCheckedChange?.(event.target.checked)
        onChange?.(event)
      }}
      {...props}
    />
  )
)
Switch.displayName = "Switch"

export { Switch }
