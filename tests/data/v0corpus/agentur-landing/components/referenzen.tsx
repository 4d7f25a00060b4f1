const zahlen = [
  { wert: "120+", label: "abgeschlossene Projekte" },
  { wert: "14", label: "Projekte aktuell in der Pipeline" },
  { wert: "98 %", label: "Kunden, die wieder kommen" },
]

export function Referenzen() {
  return (
    <section className="bg-slate-50 py-20">
      <div className="container mx-auto grid gap-8 px-6 text-center md:grid-cols-3">
        {zahlen.map((z) => (
          <div key={z.label}>
            <p className="text-4xl font-bold text-slate-900">{z.wert}</p>
            <p className="mt-2 text-sm text-slate-500">{z.label}</p>
          </div>
        ))}
      </div>
    </section>
  )
}
