import { NextResponse } from 'next/server'
import { openai } from '@/lib/openai'

export async function POST(req: Request) {
  const { firstMessage } = await req.json()
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Summarise the user request as a title of at most five words. No quotes.' },
      { role: 'user', content: String(firstMessage).slice(0, 2000) },
    ],
    max_tokens: 16,
  })
  return NextResponse.json({ title: completion.choices[0]?.message.content?.trim() ?? 'New chat' })
}
