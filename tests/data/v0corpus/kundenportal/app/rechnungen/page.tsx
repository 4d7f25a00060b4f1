"use client"

import { useEffect, useState } from "react"
import { collection, onSnapshot, orderBy, query, where } from "firebase/firestore"
import { format } from "date-fns"
import { de } from "date-fns/locale"
import { Download } from "lucide-react"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { useAuth } from "@/components/auth-provider"
import { db } from "@/lib/firebase"
import type { Rechnung } from "@/lib/types"

const statusText: Record<Rechnung["status"], string> = { offen: "Offen", bezahlt: "Bezahlt", gemahnt: "Gemahnt" }

export default function RechnungenPage() {
  const { user } = useAuth()
  const [rechnungen, setRechnungen] = useState<Rechnung[]>([])

  useEffect(() => {
    if (!user) return
    const q = query(collection(db, "rechnungen"), where("kundeId", "==", user.uid), orderBy("datum", "desc"))
    return onSnapshot(q, (snapshot) => {
      setRechnungen(snapshot.docs.map((doc) => ({ id: doc.id, ...doc.data() }) as Rechnung))
    })
  }, [user])

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Ihre Rechnungen</h1>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Rechnungsnummer</TableHead>
            <TableHead>Datum</TableHead>
            <TableHead>Fällig</TableHead>
            <TableHead className="text-right">Betrag</TableHead>
            <TableHead>Status</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {rechnungen.map((r) => (
            <TableRow key={r.id}>
              <TableCell className="font-mono">{r.nummer}</TableCell>
              <TableCell>{format(r.datum.toDate(), "dd.MM.yyyy", { locale: de })}</TableCell>
              <TableCell>{format(r.faelligAm.toDate(), "dd.MM.yyyy", { locale: de })}</TableCell>
              <TableCell className="text-right">{r.betragBrutto.toLocaleString("de-DE", { style: "currency", currency: "EUR" })}</TableCell>
              <TableCell>
                <Badge variant={r.status === "bezahlt" ? "secondary" : r.status === "gemahnt" ? "destructive" : "outline"}>{statusText[r.status]}</Badge>
              </TableCell>
              <TableCell>
                {r.pdfUrl && (
                  <Button variant="ghost" size="sm" asChild>
                    <a href={r.pdfUrl} target="_blank" rel="noreferrer">
                      <Download className="mr-1 h-4 w-4" /> PDF
                    </a>
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
          {rechnungen.length === 0 && (
            <TableRow>
              <TableCell colSpan={6} className="text-center text-muted-foreground">
                Noch keine Rechnungen vorhanden.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </div>
  )
}
