import { sql } from "@vercel/postgres"
import { Card } from "@/components/ui/card"
import { InvoiceTable, type InvoiceRow } from "@/components/invoice-table"

export default async function DashboardPage() {
  const { rows } = await sql<InvoiceRow>`SELECT id, number, client, amount_due, due_date, status FROM invoices ORDER BY due_date LIMIT 5`
  const overdue = rows.filter((row) => row.status === "overdue").length
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <Card className="p-6">
        <p className="text-sm text-slate-500">Overdue invoices</p>
        <p className="text-3xl font-bold">{overdue}</p>
      </Card>
      <InvoiceTable invoices={rows} />
    </div>
  )
}
