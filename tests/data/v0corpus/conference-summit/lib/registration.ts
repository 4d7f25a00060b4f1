import { z } from "zod"

export const registrationSchema = z.object({
  fullName: z.string().min(2, "Please tell us your name"),
  email: z.string().email("That does not look like an email address"),
  company: z.string().optional(),
  tier: z.enum(["regular", "workshop"]),
  dietary: z.enum(["none", "vegetarian", "vegan", "gluten-free"]),
  acceptCoc: z.literal(true, { errorMap: () => ({ message: "You need to accept the code of conduct" }) }),
})

export type RegistrationInput = z.infer<typeof registrationSchema>
