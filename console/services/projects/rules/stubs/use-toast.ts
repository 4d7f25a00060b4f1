"use client"

import * as React from "react"

type ToastOptions = {
  title?: React.ReactNode
  description?: React.ReactNode
  variant?: string
  action?: React.ReactNode
  duration?: number
}

type ToastEntry = ToastOptions & { id: string }

let listeners: Array<(toasts: ToastEntry[]) => void> = []
let memory: ToastEntry[] = []
let counter = 0

function emit() {
  for (const listener of listeners) listener(memory)
}

function toast(options: ToastOptions) {
  counter += 1
  const id = String(counter)
  memory = [{ ...options, id }, ...memory].slice(0, 3)
  emit()
  const dismiss = () => {
    memory = memory.filter((entry) => entry.id !== id)
    emit()
  }
  return { id, dismiss, update: (next: ToastOptions) => ({ ...next, id }) }
}

function useToast() {
  const [toasts, setToasts] = React.useState<ToastEntry[]>(memory)
  React.useEffect(() => {
    listeners.push(setToasts)
    return () => {
      listeners = listeners.filter((listener) => listener !== setToasts)
    }
  }, [])
  return {
    toasts,
    toast,
    dismiss: (id?: string) => {
      memory = id ? memory.filter((entry) => entry.id !== id) : []
      emit()
    },
  }
}

export { useToast, toast }
