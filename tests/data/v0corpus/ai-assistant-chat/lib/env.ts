const apiKey = process.env.OPENAI_API_KEY

if (!apiKey) {
  console.error('❌ OPENAI_API_KEY is missing. Copy .env.example to .env.local and set it.')
  process.exit(1)
}

export const env = {
  OPENAI_API_KEY: apiKey,
  MODEL: process.env.OPENAI_MODEL ?? 'gpt-4o-mini',
}
