import { Mail } from "lucide-react"
import { Button } from "@/components/ui/button"
import { Separator } from "@/components/ui/separator"
import Gallery from "@/components/gallery"
import { categories, getProjects } from "@/lib/projects"

export default function Home() {
  return (
    <main className="mx-auto max-w-6xl space-y-16 px-6 py-16">
      <header className="space-y-4">
        <h1 className="text-4xl font-light tracking-tight">Frieda Lorenz</h1>
        <p className="max-w-xl text-neutral-600">
          Photographer based in Hamburg. I shoot weddings, portraits and corporate events across northern Germany and
          Denmark — quiet, documentary, mostly natural light.
        </p>
      </header>
      <Gallery projects={getProjects()} categories={categories} />
      <Separator />
      <section className="grid gap-8 md:grid-cols-2">
        <div className="space-y-3">
          <h2 className="text-2xl font-light">Now taking bookings for 2026</h2>
          <p className="text-neutral-600">
            Wedding dates fill up about a year ahead. Write me a few lines about your day and I will send my price list
            and availability. Past couples get priority for family shoots.
          </p>
        </div>
        <div className="flex items-center md:justify-end">
          <Button asChild size="lg">
            <a href="mailto:hello@friedalorenz.de?subject=Wedding%202026">
              <Mail className="mr-2 h-4 w-4" /> hello@friedalorenz.de
            </a>
          </Button>
        </div>
      </section>
      <footer className="text-sm text-neutral-500">© {new Date().getFullYear()} Frieda Lorenz · Impressum on request</footer>
    </main>
  )
}
