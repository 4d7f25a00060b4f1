import Link from 'next/link'
import { CheckCircle2 } from 'lucide-react'
import { Button } from '@/components/ui/button'

export default async function Bestaetigung({
  searchParams,
}: {
  searchParams: Promise<{ id?: string }>
}) {
  const { id } = await searchParams

  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-4 px-4 text-center">
      <CheckCircle2 className="h-12 w-12 text-green-600" />
      <h1 className="text-2xl font-semibold">Vielen Dank!</h1>
      <p className="text-muted-foreground">
        Ihre Reservierung {id ? <span className="font-mono">#{id}</span> : null} ist eingegangen. Sie erhalten in Kürze eine
        Bestätigung per E-Mail.
      </p>
      <Button asChild variant="outline">
        <Link href="/">Zurück zur Startseite</Link>
      </Button>
    </main>
  )
}
