'use client'

import { useFormState, useFormStatus } from 'react-dom'
import { Loader2 } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { joinWaitlist, type SignupState } from '@/app/actions'

function SubmitButton() {
  const { pending } = useFormStatus()
  return (
    <Button type="submit" disabled={pending} className="h-11 px-6">
      {pending ? <Loader2 className="animate-spin" /> : 'Join the waitlist'}
    </Button>
  )
}

export function WaitlistForm() {
  const [state, formAction] = useFormState<SignupState, FormData>(joinWaitlist, { status: 'idle' })

  if (state.status === 'ok') {
    return <p className="text-lg font-medium text-emerald-600">You&apos;re on the list. See you soon! 🎉</p>
  }

  return (
    <form action={formAction} className="flex w-full max-w-md flex-col gap-2 sm:flex-row">
      <Input name="email" type="email" placeholder="you@studio.com" required className="h-11" />
      <SubmitButton />
      {state.status === 'error' && <p className="text-sm text-red-600 sm:absolute sm:mt-14">{state.message}</p>}
    </form>
  )
}
