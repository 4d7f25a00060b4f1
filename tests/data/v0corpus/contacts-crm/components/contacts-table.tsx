import Link from "next/link"
import { Avatar, AvatarFallback } from "@/components/ui/avatar"
import { Badge } from "@/components/ui/badge"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import type { Contact } from "@/lib/types"

const stageColor: Record<Contact["lifecycle_stage"], string> = {
  lead: "bg-sky-100 text-sky-800",
  prospect: "bg-violet-100 text-violet-800",
  customer: "bg-emerald-100 text-emerald-800",
  churned: "bg-zinc-100 text-zinc-600",
}

export function ContactsTable({ contacts }: { contacts: Contact[] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Company</TableHead>
          <TableHead>Email</TableHead>
          <TableHead>Phone</TableHead>
          <TableHead>Stage</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {contacts.map((contact) => (
          <TableRow key={contact.id}>
            <TableCell>
              <Link href={`/contacts/${contact.id}`} className="flex items-center gap-3 font-medium hover:underline">
                <Avatar>
                  <AvatarFallback>
                    {contact.first_name[0]}
                    {contact.last_name[0]}
                  </AvatarFallback>
                </Avatar>
                {contact.first_name} {contact.last_name}
              </Link>
            </TableCell>
            <TableCell>{contact.company ?? "—"}</TableCell>
            <TableCell className="text-muted-foreground">{contact.email}</TableCell>
            <TableCell className="text-muted-foreground">{contact.phone}</TableCell>
            <TableCell>
              <Badge className={stageColor[contact.lifecycle_stage]} variant="outline">
                {contact.lifecycle_stage}
              </Badge>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
