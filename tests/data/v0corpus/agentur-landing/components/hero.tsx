import { ArrowRight } from "lucide-react"
import { Button } from "@/components/ui/button"

export default function Hero() {
  return (
    <section className="relative overflow-hidden bg-slate-950 py-28 text-white">
      <div className="absolute inset-0 bg-[radial-gradient(circle_at_top_right,rgba(56,189,248,0.25),transparent_60%)]" />
      <div className="container relative mx-auto px-6">
        <p className="mb-4 text-sm uppercase tracking-widest text-sky-300">Webagentur · Kiel</p>
        <h1 className="max-w-3xl text-5xl font-bold leading-tight md:text-6xl">
          Digitale Produkte, die Ihr Team wirklich benutzt.
        </h1>
        <p className="mt-6 max-w-2xl text-lg text-slate-300">
          Seit 2014 entwickeln wir Websites, Shops und interne Tools für Handwerk, Handel und Industrie in
          Schleswig-Holstein.
        </p>
        <Button asChild size="lg" className="mt-10 bg-sky-400 text-slate-950 hover:bg-sky-300">
          <a href="#kontakt">
            Projekt anfragen <ArrowRight className="ml-2 h-4 w-4" />
          </a>
        </Button>
      </div>
    </section>
  )
}
