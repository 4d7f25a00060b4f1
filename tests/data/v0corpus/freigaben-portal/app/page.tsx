'use client'

import Link from 'next/link'
import { AuthenticatedTemplate, UnauthenticatedTemplate, useMsal } from '@azure/msal-react'
import { LogIn, Plus } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { AntragsListe } from '@/components/antrags-liste'
import { loginRequest } from '@/lib/msal-config'

export default function Home() {
  const { instance, accounts } = useMsal()

  return (
    <main className="mx-auto max-w-4xl px-6 py-10">
      <UnauthenticatedTemplate>
        <div className="flex min-h-[60vh] flex-col items-center justify-center gap-4 text-center">
          <h1 className="text-3xl font-semibold">Freigabeportal</h1>
          <p className="text-muted-foreground">Melden Sie sich mit Ihrem Firmenkonto an.</p>
          <Button onClick={() => instance.loginRedirect(loginRequest)}>
            <LogIn /> Mit Microsoft anmelden
          </Button>
        </div>
      </UnauthenticatedTemplate>

      <AuthenticatedTemplate>
        <div className="mb-8 flex items-center justify-between">
          <div>
            <h1 className="text-2xl font-semibold">Bestellanforderungen</h1>
            <p className="text-sm text-muted-foreground">Angemeldet als {accounts[0]?.username}</p>
          </div>
          <div className="flex gap-2">
            <Button variant="ghost" onClick={() => instance.logoutRedirect()}>
              Abmelden
            </Button>
            <Button asChild>
              <Link href="/antrag/neu">
                <Plus /> Neuer Antrag
              </Link>
            </Button>
          </div>
        </div>
        <AntragsListe />
      </AuthenticatedTemplate>
    </main>
  )
}
