import { getInvoices } from "@/lib/db"
import { InvoiceTable } from "@/components/invoice-table"

export default async function InvoicesPage() {
  const invoices = await getInvoices()
  return (
    <div>
      <h1 className="mb-6 text-2xl font-semibold">Invoices</h1>
      <InvoiceTable invoices={invoices} />
    </div>
  )
}
