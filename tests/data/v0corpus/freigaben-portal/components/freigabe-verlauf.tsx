import { Check, Circle, X } from 'lucide-react'
import type { Schritt } from '@/lib/antraege'
import { cn } from '@/lib/utils'

export function FreigabeVerlauf({ schritte }: { schritte: Schritt[] }) {
  return (
    <ol className="flex items-center gap-2 text-xs">
      {schritte.map((schritt, index) => (
        <li key={schritt.rolle} className="flex items-center gap-2">
          <span
            className={cn(
              'flex size-6 items-center justify-center rounded-full border',
              schritt.entscheidung === 'genehmigt' && 'border-emerald-500 bg-emerald-500 text-white',
              schritt.entscheidung === 'abgelehnt' && 'border-rose-500 bg-rose-500 text-white',
            )}
            title={schritt.kommentar}
          >
            {schritt.entscheidung === 'genehmigt' ? <Check className="size-3" /> : schritt.entscheidung === 'abgelehnt' ? <X className="size-3" /> : <Circle className="size-2" />}
          </span>
          <span>{schritt.rolle}</span>
          {index < schritte.length - 1 && <span className="h-px w-6 bg-border" />}
        </li>
      ))}
    </ol>
  )
}
