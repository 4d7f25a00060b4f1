import Link from "next/link"

export default function SuccessPage() {
  return (
    <main className="container mx-auto max-w-lg px-4 py-24 text-center">
      <h1 className="text-3xl font-bold">Thank you for your order!</h1>
      <p className="mt-4 text-muted-foreground">
        A receipt is on its way to your inbox. Your beans will be roasted on Tuesday and shipped the same day.
      </p>
      <Link href="/" className="mt-8 inline-block underline">
        Continue shopping
      </Link>
    </main>
  )
}
