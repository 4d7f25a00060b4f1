import Link from "next/link"
import { GeistMono } from "geist/font"

export function SiteHeader() {
  return (
    <header className="border-b">
      <nav className="mx-auto flex max-w-6xl items-center justify-between px-6 py-4">
        <Link href="/" className="font-display text-lg font-bold">
          HJF<span className={GeistMono.className}>25</span>
        </Link>
        <div className="flex gap-6 text-sm">
          <Link href="/schedule">Schedule</Link>
          <Link href="/register">Register</Link>
        </div>
      </nav>
    </header>
  )
}
