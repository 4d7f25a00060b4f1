import Link from "next/link"
import { Plus } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { ContactsTable } from "@/components/contacts-table"
import { createClient } from "@/lib/supabase/server"
import type { Contact } from "@/lib/types"

export default async function ContactsPage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const { q } = await searchParams
  const supabase = await createClient()

  let query = supabase.from("contacts").select("*").order("created_at", { ascending: false })
  if (q) {
    query = query.or(`first_name.ilike.%${q}%,last_name.ilike.%${q}%,company.ilike.%${q}%`)
  }
  const { data: contacts, error } = await query

  return (
    <main className="mx-auto max-w-6xl space-y-6 p-8">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Contacts</h1>
        <div className="flex gap-2">
          <form action="/auth/signout" method="post">
            <Button variant="ghost">Sign out</Button>
          </form>
          <Button asChild>
            <Link href="/contacts/new">
              <Plus /> Add contact
            </Link>
          </Button>
        </div>
      </div>
      <form className="max-w-sm">
        <Input name="q" defaultValue={q} placeholder="Search by name or company" />
      </form>
      {error ? (
        <p className="text-sm text-red-500">Could not load contacts: {error.message}</p>
      ) : (
        <ContactsTable contacts={(contacts ?? []) as Contact[]} />
      )}
    </main>
  )
}
