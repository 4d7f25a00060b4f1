import { neon } from "@neondatabase/serverless"
import type { InvoiceRow } from "@/components/invoice-table"

const sql = neon(process.env.DATABASE_URL!)

export async function getInvoices(): Promise<InvoiceRow[]> {
  const rows = await sql`SELECT id, number, client, amount_due, due_date, status FROM invoices ORDER BY due_date DESC`
  return rows as InvoiceRow[]
}
