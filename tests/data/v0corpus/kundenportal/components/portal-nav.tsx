"use client"

import Link from "next/link"
import { usePathname } from "next/navigation"
import { signOut } from "firebase/auth"
import { Button } from "@/components/ui/button"
import { auth } from "@/lib/firebase"
import { cn } from "@/lib/utils"

const links = [
  { href: "/", label: "Übersicht" },
  { href: "/rechnungen", label: "Rechnungen" },
  { href: "/support", label: "Support" },
]

export default function PortalNav() {
  const pathname = usePathname()
  if (pathname === "/login") return null

  return (
    <header className="border-b bg-white">
      <div className="mx-auto flex h-14 max-w-5xl items-center justify-between px-4">
        <nav className="flex gap-6 text-sm">
          {links.map((l) => (
            <Link key={l.href} href={l.href} className={cn("text-muted-foreground hover:text-foreground", pathname === l.href && "font-medium text-foreground")}>
              {l.label}
            </Link>
          ))}
        </nav>
        <Button variant="ghost" size="sm" onClick={() => signOut(auth)}>
          Abmelden
        </Button>
      </div>
    </header>
  )
}
