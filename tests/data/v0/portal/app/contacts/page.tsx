import { Mail, Phone } from "lucide-react"

const contacts = [
  { id: "c1", name: "Priya Shah", company: "Crumb & Co.", email: "priya@crumbandco.example", phone: "+44 131 496 0001" },
  { id: "c2", name: "Tom Becker", company: "Harbour Jazz", email: "tom@harbourjazz.example", phone: "+44 23 9496 0002" },
]

function ContactCard({ contact }: { contact: (typeof contacts)[number] }) {
  return (
    <div className="rounded-lg border bg-white p-4">
      <p className="font-medium">{contact.name}</p>
      <p className="text-sm text-slate-500">{contact.company}</p>
      <p className="mt-2 flex items-center gap-2 text-sm">
        <Mail className="h-4 w-4" /> {contact.email}
      </p>
      <p className="flex items-center gap-2 text-sm">
        <Phone className="h-4 w-4" /> {contact.phone}
      </p>
    </div>
  )
}

export default function ContactsPage() {
  return (
    <div>
      <h1 className="mb-6 text-2xl font-semibold">Contacts</h1>
      <div className="grid gap-4 md:grid-cols-2">
        {contacts.map((contact) => (
          <ContactCard key={contact.id} contact={contact} />
        ))}
      </div>
    </div>
  )
}
