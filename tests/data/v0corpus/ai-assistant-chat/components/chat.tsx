'use client'

import { useEffect, useRef, useState } from 'react'
import { useChat } from '@ai-sdk/react'
import { ArrowUp, Square } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { ScrollArea } from '@/components/ui/scroll-area'
import { Textarea } from '@/components/ui/textarea'
import { MessageBubble } from '@/components/message-bubble'

const suggestions = [
  'Summarise the latest IPCC report in five bullet points',
  'Compare PostgreSQL and MongoDB for an event log',
  'What should I read to understand transformers?',
]

export default function Chat() {
  const { messages, sendMessage, status, stop } = useChat()
  const [input, setInput] = useState('')
  const [title, setTitle] = useState('New chat')
  const bottomRef = useRef<HTMLDivElement>(null)
  const busy = status === 'submitted' || status === 'streaming'

  useEffect(() => {
    bottomRef.current?.scrollIntoView({ behavior: 'smooth' })
  }, [messages])

  const send = async (text: string) => {
    if (!text.trim() || busy) return
    if (messages.length === 0) {
      fetch('/api/title', { method: 'POST', body: JSON.stringify({ firstMessage: text }) })
        .then((r) => r.json())
        .then((d) => setTitle(d.title))
        .catch(() => undefined)
    }
    sendMessage({ text })
    setInput('')
  }

  return (
    <div className="mx-auto flex h-dvh max-w-3xl flex-col">
      <header className="border-b px-4 py-3 text-sm font-medium">{title}</header>
      <ScrollArea className="flex-1 px-4">
        <div className="space-y-6 py-6">
          {messages.length === 0 && (
            <div className="space-y-3 pt-20 text-center">
              <h1 className="text-2xl font-semibold">What are you researching today?</h1>
              <div className="flex flex-wrap justify-center gap-2">
                {suggestions.map((s) => (
                  <Button key={s} variant="outline" size="sm" onClick={() => send(s)}>
                    {s}
                  </Button>
                ))}
              </div>
            </div>
          )}
          {messages.map((message) => (
            <MessageBubble key={message.id} message={message} />
          ))}
          {status === 'submitted' && <p className="text-sm text-muted-foreground">Atlas is thinking…</p>}
          <div ref={bottomRef} />
        </div>
      </ScrollArea>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          send(input)
        }}
        className="relative border-t p-4"
      >
        <Textarea
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault()
              send(input)
            }
          }}
          placeholder="Ask anything…"
          rows={2}
          className="resize-none pr-14"
        />
        {busy ? (
          <Button type="button" size="icon" variant="secondary" onClick={stop} className="absolute bottom-6 right-6">
            <Square className="size-4" />
          </Button>
        ) : (
          <Button type="submit" size="icon" disabled={!input.trim()} className="absolute bottom-6 right-6">
            <ArrowUp className="size-4" />
          </Button>
        )}
      </form>
    </div>
  )
}
