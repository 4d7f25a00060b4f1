const questions = [
  {
    q: 'Do I need to change my pipeline?',
    a: 'No. Change runs-on and keep everything else. Your caches, matrices and secrets keep working.',
  },
  {
    q: 'How does billing work?',
    a: 'Seats are billed monthly by card. Invoices are emailed to the account owner; annual plans can pay by bank transfer.',
  },
  {
    q: 'What if a build fails on Shipyard but not on GitHub?',
    a: 'Open a ticket from the dashboard and we will look at it the same day. Team plans get priority handling.',
  },
  {
    q: 'Can I keep an approval step before production deploys?',
    a: 'Yes, environment protection rules from GitHub are respected as they are.',
  },
]

export default function Faq() {
  return (
    <section className="mx-auto max-w-3xl px-6 py-20">
      <h2 className="mb-8 text-3xl font-semibold">Questions</h2>
      <div className="divide-y rounded-xl border">
        {questions.map((item) => (
          <details key={item.q} className="group p-5">
            <summary className="cursor-pointer list-none font-medium">{item.q}</summary>
            <p className="mt-3 text-sm text-muted-foreground">{item.a}</p>
          </details>
        ))}
      </div>
    </section>
  )
}
