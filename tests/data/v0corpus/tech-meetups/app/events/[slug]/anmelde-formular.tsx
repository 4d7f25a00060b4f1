'use client'

import { useActionState } from 'react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { anmelden, type AnmeldeStatus } from './actions'

export function AnmeldeFormular({ slug }: { slug: string }) {
  const [status, formAction, pending] = useActionState<AnmeldeStatus, FormData>(anmelden, null)

  if (status?.ok) {
    return <p className="rounded-md bg-emerald-50 p-4 text-emerald-900">{status.nachricht}</p>
  }

  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="slug" value={slug} />
      <div className="grid gap-2">
        <Label htmlFor="name">Name</Label>
        <Input id="name" name="name" required />
      </div>
      <div className="grid gap-2">
        <Label htmlFor="email">E-Mail</Label>
        <Input id="email" name="email" type="email" required />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="vegetarisch" /> Ich esse vegetarisch
      </label>
      {status && !status.ok && <p className="text-sm text-destructive">{status.nachricht}</p>}
      <Button type="submit" disabled={pending}>
        {pending ? 'Wird gesendet…' : 'Verbindlich anmelden'}
      </Button>
    </form>
  )
}
