"use client"

import { useState } from "react"
import { useRouter } from "next/navigation"
import { signInWithEmailAndPassword } from "firebase/auth"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { auth } from "@/lib/firebase"

export default function LoginPage() {
  const router = useRouter()
  const [email, setEmail] = useState("")
  const [passwort, setPasswort] = useState("")
  const [fehler, setFehler] = useState("")

  async function anmelden(e: React.FormEvent) {
    e.preventDefault()
    try {
      await signInWithEmailAndPassword(auth, email, passwort)
      router.push("/")
    } catch {
      setFehler("E-Mail oder Passwort ist falsch.")
    }
  }

  return (
    <Card className="mx-auto mt-16 max-w-sm">
      <CardHeader>
        <CardTitle>Anmelden</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={anmelden} className="space-y-4">
          <div className="grid gap-2">
            <Label htmlFor="email">E-Mail</Label>
            <Input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="passwort">Passwort</Label>
            <Input id="passwort" type="password" value={passwort} onChange={(e) => setPasswort(e.target.value)} />
          </div>
          {fehler && <p className="text-sm text-destructive">{fehler}</p>}
          <Button type="submit" className="w-full">
            Anmelden
          </Button>
        </form>
      </CardContent>
    </Card>
  )
}
