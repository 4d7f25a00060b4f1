import { NextResponse } from "next/server"
import { supabaseAdmin } from "@/lib/supabase/admin"

// CSV import of contacts exported from another CRM (header row required).
export async function POST(request: Request) {
  const ownerId = request.headers.get("x-owner-id")
  if (!ownerId) return NextResponse.json({ error: "Missing owner" }, { status: 400 })

  const csv = await request.text()
  const [header, ...rows] = csv.trim().split(/\r?\n/)
  const columns = header.split(",").map((c) => c.trim().toLowerCase())

  const contacts = rows.map((row) => {
    const values = row.split(",")
    const record = Object.fromEntries(columns.map((c, i) => [c, values[i]?.trim() || null]))
    return {
      owner_id: ownerId,
      first_name: record.first_name ?? "",
      last_name: record.last_name ?? "",
      email: record.email,
      phone: record.phone,
      company: record.company,
      lifecycle_stage: "lead",
    }
  })

  const { error, count } = await supabaseAdmin.from("contacts").insert(contacts, { count: "exact" })
  if (error) return NextResponse.json({ error: error.message }, { status: 500 })
  return NextResponse.json({ imported: count })
}
