const snippet = `# .github/workflows/ci.yml
jobs:
  test:
-   runs-on: ubuntu-latest
+   runs-on: shipyard-8x
    steps:
      - uses: actions/checkout@v4
      - run: pnpm install --frozen-lockfile
      - run: pnpm turbo test`

export function CodeSample() {
  return (
    <section className="mx-auto max-w-3xl px-6 py-16">
      <h2 className="mb-4 text-center text-2xl font-semibold">One line to switch</h2>
      <pre className="overflow-x-auto rounded-xl border bg-zinc-950 p-6 font-mono text-sm text-zinc-200">{snippet}</pre>
      <p className="mt-4 text-center text-sm text-muted-foreground">
        Works with any trigger: push, pull_request, schedule or workflow_dispatch events.
      </p>
    </section>
  )
}
