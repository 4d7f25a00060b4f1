export default function Impressum() {
  return (
    <main className="container mx-auto max-w-2xl px-6 py-24">
      <h1 className="mb-6 text-3xl font-bold">Impressum</h1>
      <p>Nordlicht Digital GmbH, Holstenstraße 12, 24103 Kiel</p>
      <p>Geschäftsführung: Frauke Jensen · Amtsgericht Kiel HRB 12345</p>
    </main>
  )
}
