import Link from "next/link"
import { Button } from "@/components/ui/button"

export default function Home() {
  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center gap-6 px-6">
      <h1 className="text-4xl font-bold tracking-tight">__APP_NAME__</h1>
      <p className="text-lg text-neutral-600">__APP_DESCRIPTION__</p>
      <div>
        <Button asChild>
          <Link href="/contact">Get in touch</Link>
        </Button>
      </div>
    </main>
  )
}
