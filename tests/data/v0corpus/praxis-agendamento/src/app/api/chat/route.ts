import { openai } from '@ai-sdk/openai'
import { convertToModelMessages, streamText, type UIMessage } from 'ai'

export async function POST(req: Request) {
  const { messages }: { messages: UIMessage[] } = await req.json()

  const result = streamText({
    model: openai('gpt-4o-mini'),
    system:
      'Você é a assistente virtual da Clínica Vida Plena. Responda em português, de forma breve. ' +
      'Não dê diagnósticos; para marcar consulta, oriente o paciente a usar o formulário de agendamento da página.',
    messages: convertToModelMessages(messages),
  })

  return result.toUIMessageStreamResponse()
}
