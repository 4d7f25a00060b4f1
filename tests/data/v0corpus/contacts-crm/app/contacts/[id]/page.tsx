import { notFound } from "next/navigation"
import { Mail, Phone } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"
import { Textarea } from "@/components/ui/textarea"
import { createClient } from "@/lib/supabase/server"
import type { Contact } from "@/lib/types"
import { updateNotes } from "../actions"

export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const supabase = await createClient()
  const { data } = await supabase.from("contacts").select("*").eq("id", id).single()
  if (!data) notFound()
  const contact = data as Contact
  const saveNotes = updateNotes.bind(null, contact.id)

  return (
    <main className="mx-auto max-w-3xl space-y-6 p-8">
      <div>
        <h1 className="text-2xl font-semibold">
          {contact.first_name} {contact.last_name}
        </h1>
        <p className="text-muted-foreground">
          {contact.job_title} {contact.company && `at ${contact.company}`}
        </p>
      </div>
      <div className="flex gap-6 text-sm">
        {contact.email && (
          <a href={`mailto:${contact.email}`} className="flex items-center gap-2">
            <Mail className="size-4" /> {contact.email}
          </a>
        )}
        {contact.phone && (
          <a href={`tel:${contact.phone}`} className="flex items-center gap-2">
            <Phone className="size-4" /> {contact.phone}
          </a>
        )}
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Notes</CardTitle>
        </CardHeader>
        <CardContent>
          <form action={saveNotes} className="space-y-3">
            <Textarea name="notes" defaultValue={contact.notes ?? ""} rows={6} />
            <Button type="submit" size="sm">
              Save notes
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  )
}
