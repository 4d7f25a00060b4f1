import Link from 'next/link'
import { UtensilsCrossed } from 'lucide-react'

const SiteHeader = () => (
  <header className="border-b bg-white/80 backdrop-blur">
    <div className="mx-auto flex h-16 max-w-5xl items-center justify-between px-4">
      <Link href="/" className="flex items-center gap-2 font-semibold">
        <UtensilsCrossed className="h-5 w-5 text-amber-700" />
        Trattoria Lucia
      </Link>
      <nav className="flex gap-6 text-sm text-muted-foreground">
        <a href="#reservierung" className="hover:text-foreground">
          Reservierung
        </a>
        <a href="#kontakt" className="hover:text-foreground">
          Anfahrt
        </a>
      </nav>
    </div>
  </header>
)

export default SiteHeader
