"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

type DialogContextValue = { open: boolean; setOpen: (open: boolean) => void }
const DialogContext = React.createContext<DialogContextValue>({ open: false, setOpen: () => {} })

interface DialogProps {
  open?: boolean
  defaultOpen?: boolean
  onOpenChange?: (open: boolean) => void
  modal?: boolean
  children?: React.ReactNode
}

function Dialog({ open, defaultOpen = false, onOpenChange, children }: DialogProps) {
  const [inner, setInner] = React.useState(defaultOpen)
  const current = open ?? inner
  const setOpen = (next: boolean) => {
    setInner(next)
    onOpenChange?.(next)
  }
  return (
    <DialogContext.Provider value={{ open: current, setOpen }}>{children}</DialogContext.Provider>
  )
}

interface TriggerProps extends React.ButtonHTMLAttributes<HTMLButtonElement> {
  asChild?: boolean
}

function DialogTrigger({ asChild, children, onClick, ...props }: TriggerProps) {
  const dialog = React.useContext(DialogContext)
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

function DialogClose({ asChild, children, onClick, ...props }: TriggerProps) {
  const dialog = React.useContext(DialogContext)
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

function DialogPortal({ children }: { children?: React.ReactNode }) {
  return <>{children}</>
}

function DialogOverlay({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("fixed inset-0 z-50 bg-black/80", className)} {...props} />
}

interface ContentProps extends React.HTMLAttributes<HTMLDivElement> {
  side?: "top" | "right" | "bottom" | "left"
}

function DialogContent({ className, children, side: _side, ...props }: ContentProps) {
  const dialog = React.useContext(DialogContext)
  if (!dialog.open) return null
  return (
    <>
      <DialogOverlay onClick={() => dialog.setOpen(false)} />
      <div
        role="dialog"
        className={cn(
          "fixed left-[50%] top-[50%] z-50 grid w-full max-w-lg translate-x-[-50%] translate-y-[-50%] gap-4 border bg-background p-6 shadow-lg sm:rounded-lg",
          className
        )}
        {...props}
      >
        {children}
      </div>
    </>
  )
}

function DialogHeader({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cn("flex flex-col space-y-1.5 text-center sm:text-left", className)} {...props} />
  )
}

function DialogFooter({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      className={cn("flex flex-col-reverse sm:flex-row sm:justify-end sm:space-x-2", className)}
      {...props}
    />
  )
}

function DialogTitle({ className, ...props }: React.HTMLAttributes<HTMLHeadingElement>) {
  return (
    <h2
      className={cn("text-lg font-semibold leading-none tracking-tight", className)}
      {...props}
    />
  )
}

function DialogDescription({ className, ...props }: React.HTMLAttributes<HTMLParagraphElement>) {
  return <p className={cn("text-sm text-muted-foreground", className)} {...props} />
}

export {
  Dialog,
  DialogPortal,
  DialogOverlay,
  DialogClose,
  DialogTrigger,
  DialogContent,
  DialogHeader,
  DialogFooter,
  DialogTitle,
  DialogDescription,
}
