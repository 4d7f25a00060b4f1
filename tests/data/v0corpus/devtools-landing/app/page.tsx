import { CodeSample } from '@/components/code-sample'
import Faq from '@/components/faq'
import { Hero } from '@/components/hero'
import { Pricing } from '@/components/pricing'

const logos = ['Linear', 'Raycast', 'Resend', 'Cal.com', 'Dub']

export default function Page() {
  return (
    <main>
      <Hero />
      <section className="border-y py-10">
        <p className="mb-6 text-center text-xs uppercase tracking-widest text-muted-foreground">Trusted by fast teams</p>
        <div className="mx-auto flex max-w-4xl flex-wrap justify-center gap-10 text-lg font-semibold text-muted-foreground">
          {logos.map((logo) => (
            <span key={logo}>{logo}</span>
          ))}
        </div>
      </section>
      <CodeSample />
      <Pricing />
      <Faq />
      <footer className="border-t py-10 text-center text-sm text-muted-foreground">
        © 2025 Shipyard Labs, Inc. · <a href="https://status.shipyard.dev">Status</a> · <a href="/security">Security</a>
      </footer>
    </main>
  )
}
