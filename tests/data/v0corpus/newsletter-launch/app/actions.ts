'use server'

import { AUDIENCE_ID, resend } from '@/lib/resend'

export type SignupState = { status: 'idle' | 'ok' | 'error'; message?: string }

export async function joinWaitlist(_prev: SignupState, formData: FormData): Promise<SignupState> {
  const email = String(formData.get('email') ?? '').trim().toLowerCase()
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    return { status: 'error', message: 'Please enter a valid email address.' }
  }

  const { error } = await resend.contacts.create({ email, audienceId: AUDIENCE_ID, unsubscribed: false })
  if (error) {
    return { status: 'error', message: 'Something went wrong. Please try again.' }
  }

  await resend.emails.send({
    from: 'Slotly <hello@slotly.app>',
    to: email,
    subject: "You're on the Slotly waitlist",
    text: "Thanks for signing up! We'll email you once early access opens.",
  })

  return { status: 'ok' }
}
