"use client"

import Link from "next/link"
import { FileText, LifeBuoy } from "lucide-react"
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { useAuth } from "@/components/auth-provider"

export default function Uebersicht() {
  const { user } = useAuth()

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Hallo{user?.displayName ? `, ${user.displayName}` : ""}!</h1>
      <div className="grid gap-4 md:grid-cols-2">
        <Link href="/rechnungen">
          <Card className="hover:border-primary">
            <CardHeader>
              <FileText className="h-6 w-6" />
              <CardTitle>Rechnungen</CardTitle>
              <CardDescription>Monatliche Rechnungen ansehen und als PDF herunterladen.</CardDescription>
            </CardHeader>
          </Card>
        </Link>
        <Link href="/support">
          <Card className="hover:border-primary">
            <CardHeader>
              <LifeBuoy className="h-6 w-6" />
              <CardTitle>Support</CardTitle>
              <CardDescription>Störung melden oder eine Frage zur Abrechnung stellen.</CardDescription>
            </CardHeader>
          </Card>
        </Link>
      </div>
    </div>
  )
}
