import { ContactForm } from "@/components/contact-form"

export const metadata = { title: "Contact – __APP_NAME__" }

export default function ContactPage() {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-3xl font-bold">Get in touch</h1>
      <p className="mt-2 text-neutral-600">Tell us what you need and we reply within a day.</p>
      <ContactForm />
    </main>
  )
}
