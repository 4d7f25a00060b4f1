"use client"

import * as React from "react"

import { cn } from "@/lib/utils"

export interface CalendarProps {
  mode?: "single" | "multiple" | "range" | "default"
  selected?: Date | Date[] | { from?: Date; to?: Date } | undefined
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onSelect?: (value: any) => void
  disabled?: boolean | ((date: Date) => boolean)
  className?: string
  classNames?: Record<string, string>
  showOutsideDays?: boolean
  initialFocus?: boolean
  month?: Date
  defaultMonth?: Date
  fromDate?: Date
  toDate?: Date
  numberOfMonths?: number
  [key: string]: unknown
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
  )
}

function Calendar({ selected, onSelect, disabled, className, month, defaultMonth }: CalendarProps) {
  const first = selected instanceof Date ? selected : (month ?? defaultMonth ?? new Date())
  const [shown, setShown] = React.useState(new Date(first.getFullYear(), first.getMonth(), 1))
  const days: Date[] = []
  const start = new Date(shown)
  start.setDate(1 - ((shown.getDay() + 6) % 7))
  for (let i = 0; i < 42; i++) {
    days.push(new Date(start.getFullYear(), start.getMonth(), start.getDate() + i))
  }
  const isDisabled = (day: Date) =>
    typeof disabled === "function" ? disabled(day) : Boolean(disabled)
  return (
    <div className={cn("p-3", className)}>
      <div className="flex items-center justify-between pb-2">
        <button
          type="button"
          aria-label="Previous month"
          onClick={() => setShown(new Date(shown.getFullYear(), shown.getMonth() - 1, 1))}
        >
          ‹
        </button>
        <span className="text-sm font-medium">
          {shown.toLocaleDateString(undefined, { month: "long", year: "numeric" })}
        </span>
        <button
          type="button"
          aria-label="Next month"
          onClick={() => setShown(new Date(shown.getFullYear(), shown.getMonth() + 1, 1))}
        >
          ›
        </button>
      </div>
      <div className="grid grid-cols-7 gap-1 text-center text-sm">
        {days.map((day) => {
          const chosen = selected instanceof Date && sameDay(selected, day)
          return (
            <button
              key={day.toISOString()}
              type="button"
              disabled={isDisabled(day)}
              className={cn(
                "h-9 w-9 rounded-md",
                day.getMonth() !== shown.getMonth() && "text-muted-foreground opacity-50",
                chosen && "bg-primary text-primary-foreground"
              )}
              onClick={() => onSelect?.(day)}
            >
              {day.getDate()}
            </button>
          )
        })}
      </div>
    </div>
  )
}
Calendar.displayName = "Calendar"

export { Calendar }
