import { Badge } from "@/components/ui/badge"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { cn } from "@/lib/utils"

export type InvoiceRow = {
  id: string
  number: string
  client: string
  amount_due: number
  due_date: string
  status: "paid" | "unpaid" | "overdue"
}

export function InvoiceTable({ invoices }: { invoices: InvoiceRow[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Invoice</TableHead>
          <TableHead>Client</TableHead>
          <TableHead>Amount due</TableHead>
          <TableHead>Due date</TableHead>
          <TableHead>Status</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {invoices.map((invoice) => (
          <TableRow key={invoice.id}>
            <TableCell>{invoice.number}</TableCell>
            <TableCell>{invoice.client}</TableCell>
            <TableCell>€{invoice.amount_due.toFixed(2)}</TableCell>
            <TableCell>{invoice.due_date}</TableCell>
            <TableCell>
              <Badge className={cn(invoice.status === "overdue" && "bg-red-600")}>{invoice.status}</Badge>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
