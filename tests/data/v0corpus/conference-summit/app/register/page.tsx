import { RegistrationForm } from "./registration-form"

export default async function RegisterPage({ searchParams }: { searchParams: Promise<{ tier?: string }> }) {
  const { tier } = await searchParams

  return (
    <main className="container mx-auto max-w-xl px-4 py-16">
      <h1 className="text-3xl font-bold">Register for EdgeConf 2025</h1>
      <p className="mb-8 mt-2 text-muted-foreground">12–13 June 2025 · Radialsystem Berlin</p>
      <RegistrationForm defaultTier={tier === "workshop" ? "workshop" : "regular"} />
    </main>
  )
}
