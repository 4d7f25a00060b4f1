import { ArrowRight, Terminal } from 'lucide-react'
import { Button } from '@/components/ui/button'

export function Hero() {
  return (
    <section className="mx-auto max-w-6xl px-6 pb-20 pt-28 text-center">
      <p className="mb-6 inline-flex items-center gap-2 rounded-full border px-3 py-1 text-xs text-muted-foreground">
        <Terminal className="size-3" /> Now with remote caching for Turborepo and Nx
      </p>
      <h1 className="text-balance text-5xl font-semibold tracking-tight md:text-7xl">Your pipeline, 6× faster.</h1>
      <p className="mx-auto mt-6 max-w-2xl text-pretty text-lg text-muted-foreground">
        Shipyard runs your existing GitHub Actions workflows on warm, cached runners. No YAML rewrite, no approval
        gates to configure, no new agenda for your platform team.
      </p>
      <div className="mt-10 flex justify-center gap-3">
        <Button size="lg" asChild>
          <a href="https://app.shipyard.dev/signup">
            Start free <ArrowRight />
          </a>
        </Button>
        <Button size="lg" variant="outline" asChild>
          <a href="mailto:sales@shipyard.dev">Contact sales</a>
        </Button>
      </div>
    </section>
  )
}
