"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

type SelectContextValue = {
  value: string
  open: boolean
  setOpen: (open: boolean) => void
  choose: (value: string) => void
}
const SelectContext = React.createContext<SelectContextValue>({
  value: "",
  open: false,
  setOpen: () => {},
  choose: () => {},
})

interface SelectProps {
  value?: string
  defaultValue?: string
  onValueChange?: (value: string) => void
  open?: boolean
  onOpenChange?: (open: boolean) => void
  disabled?: boolean
  name?: string
  required?: boolean
  children?: React.ReactNode
}

function Select({ value, defaultValue = "", onValueChange, onOpenChange, children }: SelectProps) {
  const [inner, setInner] = React.useState(defaultValue)
  const [open, setOpenState] = React.useState(false)
  const setOpen = (next: boolean) => {
    setOpenState(next)
    onOpenChange?.(next)
  }
  const choose = (next: string) => {
    setInner(next)
    onValueChange?.(next)
    setOpen(false)
  }
  return (
    <SelectContext.Provider value={{ value: value ?? inner, open, setOpen, choose }}>
      <div className="relative">{children}</div>
    </SelectContext.Provider>
  )
}

const SelectTrigger = React.forwardRef<
  HTMLButtonElement,
  React.ButtonHTMLAttributes<HTMLButtonElement>
>(({ className, children, ...props }, ref) => {
  const select = React.useContext(SelectContext)
  return (
    <button
      ref={ref}
      type="button"
      aria-expanded={select.open}
      className={cn(
        "flex h-10 w-full items-center justify-between rounded-md border border-input bg-background px-3 py-2 text-sm",
        className
      )}
      onClick={() => select.setOpen(!select.open)}
      {...props}
    >
      {children}
    </button>
  )
})
SelectTrigger.displayName = "SelectTrigger"

function SelectValue({ placeholder }: { placeholder?: React.ReactNode; className?: string }) {
  const select = React.useContext(SelectContext)
  return <span>{select.value || placeholder}</span>
}

function SelectContent({ className, children }: React.HTMLAttributes<HTMLDivElement> & { position?: string }) {
  const select = React.useContext(SelectContext)
  if (!select.open) return null
  return (
    <div
      role="listbox"
      className={cn(
        "absolute z-50 mt-1 max-h-96 min-w-[8rem] overflow-auto rounded-md border bg-popover p-1 text-popover-foreground shadow-md",
        className
      )}
    >
      {children}
    </div>
  )
}

interface SelectItemProps extends React.HTMLAttributes<HTMLDivElement> {
  value: string
  disabled?: boolean
}

function SelectItem({ value, className, children, disabled, ...props }: SelectItemProps) {
  const select = React.useContext(SelectContext)
  return (
    <div
      role="option"
      aria-selected={select.value === value}
      aria-disabled={disabled}
      className={cn(
        "relative flex w-full cursor-default select-none items-center rounded-sm py-1.5 px-2 text-sm hover:bg-accent",
        className
      )}
      onClick={() => !disabled && select.choose(value)}
      {...props}
    >
      {children}
    </div>
  )
}

function SelectGroup(props: React.HTMLAttributes<HTMLDivElement>) {
  return <div role="group" {...props} />
}

function SelectLabel({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("py-1.5 px-2 text-sm font-semibold", className)} {...props} />
}

function SelectSeparator({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("-mx-1 my-1 h-px bg-muted", className)} {...props} />
}

export {
  Select,
  SelectGroup,
  SelectValue,
  SelectTrigger,
  SelectContent,
  SelectLabel,
  SelectItem,
  SelectSeparator,
}
