"use client"

import { useEffect, useState } from "react"
import { addDoc, collection, onSnapshot, query, serverTimestamp, where } from "firebase/firestore"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select"
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs"
import { Textarea } from "@/components/ui/textarea"
import { useAuth } from "@/components/auth-provider"
import { useToast } from "@/hooks/use-toast"
import { db } from "@/lib/firebase"
import type { SupportTicket } from "@/lib/types"

const statusLabel: Record<SupportTicket["status"], string> = {
  offen: "Offen",
  in_bearbeitung: "In Bearbeitung",
  geloest: "Gelöst",
}

export default function SupportPage() {
  const { user } = useAuth()
  const { toast } = useToast()
  const [tickets, setTickets] = useState<SupportTicket[]>([])
  const [betreff, setBetreff] = useState("")
  const [beschreibung, setBeschreibung] = useState("")
  const [kategorie, setKategorie] = useState<SupportTicket["kategorie"]>("technik")
  const [prioritaet, setPrioritaet] = useState<SupportTicket["prioritaet"]>("normal")

  useEffect(() => {
    if (!user) return
    const q = query(collection(db, "tickets"), where("kundeId", "==", user.uid))
    return onSnapshot(q, (s) => setTickets(s.docs.map((d) => ({ id: d.id, ...d.data() }) as SupportTicket)))
  }, [user])

  async function ticketErstellen(e: React.FormEvent) {
    e.preventDefault()
    if (!user) return
    await addDoc(collection(db, "tickets"), {
      kundeId: user.uid,
      betreff,
      beschreibung,
      kategorie,
      prioritaet,
      status: "offen",
      erstelltAm: serverTimestamp(),
    })
    setBetreff("")
    setBeschreibung("")
    toast({ title: "Anfrage gesendet", description: "Wir melden uns innerhalb eines Werktags." })
  }

  return (
    <Tabs defaultValue="liste" className="space-y-6">
      <TabsList>
        <TabsTrigger value="liste">Meine Anfragen ({tickets.length})</TabsTrigger>
        <TabsTrigger value="neu">Neue Anfrage</TabsTrigger>
      </TabsList>

      <TabsContent value="liste" className="space-y-3">
        {tickets.map((t) => (
          <Card key={t.id}>
            <CardHeader className="flex flex-row items-center justify-between space-y-0 pb-2">
              <CardTitle className="text-base">{t.betreff}</CardTitle>
              <div className="flex gap-2">
                {t.prioritaet === "hoch" && <Badge variant="destructive">Hohe Priorität</Badge>}
                <Badge variant="outline">{statusLabel[t.status]}</Badge>
              </div>
            </CardHeader>
            <CardContent className="text-sm text-muted-foreground">{t.beschreibung}</CardContent>
          </Card>
        ))}
      </TabsContent>

      <TabsContent value="neu">
        <Card>
          <CardHeader>
            <CardTitle>Störung melden oder Frage stellen</CardTitle>
          </CardHeader>
          <CardContent>
            <form onSubmit={ticketErstellen} className="space-y-4">
              <div className="grid gap-2">
                <Label htmlFor="betreff">Betreff</Label>
                <Input id="betreff" required value={betreff} onChange={(e) => setBetreff(e.target.value)} />
              </div>
              <div className="grid gap-4 md:grid-cols-2">
                <div className="grid gap-2">
                  <Label>Kategorie</Label>
                  <Select value={kategorie} onValueChange={(v) => setKategorie(v as SupportTicket["kategorie"])}>
                    <SelectTrigger>
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      <SelectItem value="technik">Technische Störung</SelectItem>
                      <SelectItem value="abrechnung">Frage zur Rechnung</SelectItem>
                      <SelectItem value="sonstiges">Sonstiges</SelectItem>
                    </SelectContent>
                  </Select>
                </div>
                <div className="grid gap-2">
                  <Label>Dringlichkeit</Label>
                  <Select value={prioritaet} onValueChange={(v) => setPrioritaet(v as SupportTicket["prioritaet"])}>
                    <SelectTrigger>
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      <SelectItem value="niedrig">Niedrig</SelectItem>
                      <SelectItem value="normal">Normal</SelectItem>
                      <SelectItem value="hoch">Hoch – Internet fällt komplett aus</SelectItem>
                    </SelectContent>
                  </Select>
                </div>
              </div>
              <div className="grid gap-2">
                <Label htmlFor="beschreibung">Beschreibung</Label>
                <Textarea id="beschreibung" rows={5} required value={beschreibung} onChange={(e) => setBeschreibung(e.target.value)} />
              </div>
              <Button type="submit">Anfrage absenden</Button>
            </form>
          </CardContent>
        </Card>
      </TabsContent>
    </Tabs>
  )
}
