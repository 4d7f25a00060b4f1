"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

type SheetContextValue = { open: boolean; setOpen: (open: boolean) => void }
const SheetContext = React.createContext<SheetContextValue>({ open: false, setOpen: () => {} })

interface SheetProps {
  open?: boolean
  defaultOpen?: boolean
  onOpenChange?: (open: boolean) => void
  modal?: boolean
  children?: React.ReactNode
}

function Sheet({ open, defaultOpen = false, onOpenChange, children }: SheetProps) {
  const [inner, setInner] = React.useState(defaultOpen)
  const current = open ?? inner
  const setOpen = (next: boolean) => {
    setInner(next)
    onOpenChange?.(next)
  }
  return (
    <SheetContext.Provider value={{ open: current, setOpen }}>{children}</SheetContext.Provider>
  )
}

interface TriggerProps extends React.ButtonHTMLAttributes<HTMLButtonElement> {
  asChild?: boolean
}

function SheetTrigger({ asChild, children, onClick, ...props }: TriggerProps) {
  const dialog = React.useContext(SheetContext)
  if (asChild && React.isValidElement<{ onClick?: React.MouseEventHandler }>(children)) {
    return React.cloneElement(children, { onClick: () => dialog.setOpen(true) })
  }
  return (
    <button
      type="button"
      onClick={(event) => {
        dialog.setOpen(true)
        onClick?.(event)
      }}
      {...props}
    >
      {children}
    </button>
  )
}

function SheetClose({ asChild, children, onClick, ...props }: TriggerProps) {
  const dialog = React.useContext(SheetContext)
  if (asChild && React.isValidElement<{ onClick?: React.MouseEventHandler }>(children)) {
    return React.cloneElement(children, { onClick: () => dialog.setOpen(false) })
  }
  return (
    <button
      type="button"
      onClick={(event) => {
        dialog.setOpen(false)
        onClick?.(event)
      }}
      {...props}
    >
      {children}
    </button>
  )
}

function SheetPortal({ children }: { children?: React.ReactNode }) {
  return <>{children}</>
}

function SheetOverlay({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("fixed inset-0 z-50 bg-black/80", className)} {...props} />
}

interface ContentProps extends React.HTMLAttributes<HTMLDivElement> {
  side?: "top" | "right" | "bottom" | "left"
}

function SheetContent({ className, children, side: _side, ...props }: ContentProps) {
  const dialog = React.useContext(SheetContext)
  if (!dialog.open) return null
  return (
    <>
      <SheetOverlay onClick={() => dialog.setOpen(false)} />
      <div
        role="dialog"
        className={cn(
          "fixed inset-y-0 right-0 z-50 flex h-full w-3/4 flex-col gap-4 border-l bg-background p-6 shadow-lg sm:max-w-sm",
          className
        )}
        {...props}
      >
        {children}
      </div>
    </>
  )
}

function SheetHeader({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cn("flex flex-col space-y-1.5 text-center sm:text-left", className)} {...props} />
  )
}

function SheetFooter({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      className={cn("flex flex-col-reverse sm:flex-row sm:justify-end sm:space-x-2", className)}
      {...props}
    />
  )
}

function SheetTitle({ className, ...props }: React.HTMLAttributes<HTMLHeadingElement>) {
  return (
    <h2
      className={cn("text-lg font-semibold leading-none tracking-tight", className)}
      {...props}
    />
  )
}

function SheetDescription({ className, ...props }: React.HTMLAttributes<HTMLParagraphElement>) {
  return <p className={cn("text-sm text-muted-foreground", className)} {...props} />
}

export {
  Sheet,
  SheetPortal,
  SheetOverlay,
  SheetClose,
  SheetTrigger,
  SheetContent,
  SheetHeader,
  SheetFooter,
  SheetTitle,
  SheetDescription,
}
