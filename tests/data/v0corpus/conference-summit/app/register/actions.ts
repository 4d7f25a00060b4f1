"use server"

import { registrationSchema, type RegistrationInput } from "@/lib/registration"

export async function registerAttendee(input: RegistrationInput) {
  const data = registrationSchema.parse(input)
  await new Promise((resolve) => setTimeout(resolve, 600))
  return { ok: true as const, reference: `EC25-${data.email.slice(0, 3).toUpperCase()}${Date.now() % 10000}` }
}
