'use client'

import { Building2, Mail, Phone } from 'lucide-react'
import { Avatar, AvatarFallback } from '@/components/ui/avatar'
import { Card, CardContent } from '@/components/ui/card'
import { formatEuro, type Deal } from '@/lib/data'

type Props = {
  deal: Deal
  onDragStart: (id: string) => void
  onDragEnd: () => void
}

export function DealKarte({ deal, onDragStart, onDragEnd }: Props) {
  return (
    <Card
      draggable
      onDragStart={(e) => {
        e.dataTransfer.effectAllowed = 'move'
        e.dataTransfer.setData('text/plain', deal.id)
        onDragStart(deal.id)
      }}
      onDragEnd={onDragEnd}
      className="cursor-grab gap-2 py-3 active:cursor-grabbing"
    >
      <CardContent className="space-y-2 px-3">
        <div className="flex items-start justify-between gap-2">
          <p className="text-sm font-medium leading-tight">{deal.titel}</p>
          <Avatar className="size-6">
            <AvatarFallback className="text-[10px]">{deal.verantwortlich}</AvatarFallback>
          </Avatar>
        </div>
        <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
          <Building2 className="size-3" /> {deal.firma}
        </p>
        <p className="text-xs">{deal.ansprechpartner}</p>
        <div className="flex gap-3 text-xs text-muted-foreground">
          <a href={`mailto:${deal.email}`} className="flex items-center gap-1 hover:text-foreground">
            <Mail className="size-3" /> E-Mail
          </a>
          <a href={`tel:${deal.telefon}`} className="flex items-center gap-1 hover:text-foreground">
            <Phone className="size-3" /> Anrufen
          </a>
        </div>
        <div className="flex items-center justify-between pt-1">
          <span className="text-sm font-semibold">{formatEuro(deal.wert)}</span>
          {deal.naechsterSchritt && <span className="text-[11px] text-amber-700">{deal.naechsterSchritt}</span>}
        </div>
      </CardContent>
    </Card>
  )
}
