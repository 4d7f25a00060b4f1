import { NextResponse } from "next/server"
import { Resend } from "resend"

export async function POST(request: Request) {
  const { name, firma, email, telefon, nachricht, budget } = await request.json()

  if (!name || !email || !nachricht) {
    return NextResponse.json({ error: "Pflichtfelder fehlen" }, { status: 400 })
  }

  const resend = new Resend(process.env.RESEND_API_KEY)
  const { error } = await resend.emails.send({
    from: "Website <website@nordlicht.digital>",
    to: process.env.KONTAKT_EMPFAENGER ?? "hallo@nordlicht.digital",
    replyTo: email,
    subject: `Neue Anfrage von ${name}${firma ? ` (${firma})` : ""}`,
    text: `Name: ${name}\nFirma: ${firma ?? "-"}\nE-Mail: ${email}\nTelefon: ${telefon ?? "-"}\nBudget: ${budget}\n\n${nachricht}`,
  })

  if (error) {
    console.error(error)
    return NextResponse.json({ error: "Versand fehlgeschlagen" }, { status: 502 })
  }
  return NextResponse.json({ ok: true })
}
