"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

type TabsContextValue = { value: string; setValue: (value: string) => void }
const TabsContext = React.createContext<TabsContextValue>({ value: "", setValue: () => {} })

interface TabsProps extends Omit<React.HTMLAttributes<HTMLDivElement>, "defaultValue"> {
  value?: string
  defaultValue?: string
  onValueChange?: (value: string) => void
  orientation?: "horizontal" | "vertical"
}

function Tabs({ value, defaultValue = "", onValueChange, className, ...props }: TabsProps) {
  const [inner, setInner] = React.useState(defaultValue)
  const current = value ?? inner
  const setValue = (next: string) => {
    setInner(next)
    onValueChange?.(next)
  }
  return (
    <TabsContext.Provider value={{ value: current, setValue }}>
      <div className={className} {...props} />
    </TabsContext.Provider>
  )
}

function TabsList({ className, ...props }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      role="tablist"
      className={cn(
        "inline-flex h-10 items-center justify-center rounded-md bg-muted p-1 text-muted-foreground",
        className
      )}
      {...props}
    />
  )
}

interface TabsTriggerProps extends React.ButtonHTMLAttributes<HTMLButtonElement> {
  value: string
}

function TabsTrigger({ value, className, onClick, ...props }: TabsTriggerProps) {
  const tabs = React.useContext(TabsContext)
  const active = tabs.value === value
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      data-state={active ? "active" : "inactive"}
      className={cn(
        "inline-flex items-center justify-center whitespace-nowrap rounded-sm px-3 py-1.5 text-sm font-medium transition-all",
        active && "bg-background text-foreground shadow-sm",
        className
      )}
      onClick={(event) => {
        tabs.setValue(value)
        onClick?.(event)
      }}
      {...props}
    />
  )
}

interface TabsContentProps extends React.HTMLAttributes<HTMLDivElement> {
  value: string
  forceMount?: boolean
}

function TabsContent({ value, className, forceMount, ...props }: TabsContentProps) {
  const tabs = React.useContext(TabsContext)
  if (tabs.value !== value && !forceMount) return null
  return <div role="tabpanel" className={cn("mt-2", className)} {...props} />
}

export { Tabs, TabsList, TabsTrigger, TabsContent }
