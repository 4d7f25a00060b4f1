import { createOpenAI } from '@ai-sdk/openai'
import { convertToModelMessages, streamText, type UIMessage } from 'ai'
import { env } from '@/lib/env'

export const maxDuration = 30

const provider = createOpenAI({ apiKey: env.OPENAI_API_KEY })

const SYSTEM_PROMPT = `You are Atlas, a careful research assistant.
Answer concisely, say when you are not sure, and suggest follow-up questions.`

export async function POST(req: Request) {
  const { messages }: { messages: UIMessage[] } = await req.json()

  const result = streamText({
    model: provider(env.MODEL),
    system: SYSTEM_PROMPT,
    messages: convertToModelMessages(messages),
  })

  return result.toUIMessageStreamResponse()
}
