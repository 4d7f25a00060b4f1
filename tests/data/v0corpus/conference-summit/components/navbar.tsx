import Link from "next/link"
import { Button } from "@/components/ui/button"

export function Navbar() {
  return (
    <header className="sticky top-0 z-40 border-b border-white/10 bg-black/70 backdrop-blur">
      <div className="container mx-auto flex h-14 items-center justify-between px-4">
        <Link href="/" className="font-bold tracking-tight">
          EdgeConf<span className="text-emerald-400">25</span>
        </Link>
        <nav className="hidden gap-6 text-sm md:flex">
          <Link href="/#speakers">Speakers</Link>
          <Link href="/agenda">Agenda</Link>
          <Link href="/#tickets">Tickets</Link>
        </nav>
        <Button asChild size="sm" className="bg-emerald-500 text-black hover:bg-emerald-400">
          <Link href="/register">Register now</Link>
        </Button>
      </div>
    </header>
  )
}
