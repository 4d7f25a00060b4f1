"use server"

import { revalidatePath } from "next/cache"
import { redirect } from "next/navigation"
import { createClient } from "@/lib/supabase/server"

export async function createContact(formData: FormData) {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  if (!user) redirect("/login")

  const { error } = await supabase.from("contacts").insert({
    owner_id: user.id,
    first_name: formData.get("first_name"),
    last_name: formData.get("last_name"),
    email: formData.get("email") || null,
    phone: formData.get("phone") || null,
    company: formData.get("company") || null,
    job_title: formData.get("job_title") || null,
    lifecycle_stage: formData.get("lifecycle_stage") ?? "lead",
    notes: formData.get("notes") || null,
  })
  if (error) throw new Error(error.message)

  revalidatePath("/contacts")
  redirect("/contacts")
}

export async function updateNotes(id: string, formData: FormData) {
  const supabase = await createClient()
  await supabase.from("contacts").update({ notes: formData.get("notes") }).eq("id", id)
  revalidatePath(`/contacts/${id}`)
}
