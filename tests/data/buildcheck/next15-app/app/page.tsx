import { greeting } from "@/lib/greeting"

export default function Page() {
  return (
    <main>
      <h1>{greeting("build check")}</h1>
    </main>
  )
}
