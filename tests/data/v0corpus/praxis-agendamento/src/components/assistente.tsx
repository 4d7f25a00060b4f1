'use client'

import { useState } from 'react'
import { useChat } from '@ai-sdk/react'
import { MessageCircle, Send, X } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { ScrollArea } from '@/components/ui/scroll-area'

export default function Assistente() {
  const [aberto, setAberto] = useState(false)
  const [texto, setTexto] = useState('')
  const { messages, sendMessage, status } = useChat()

  if (!aberto) {
    return (
      <Button className="fixed bottom-6 right-6 h-14 w-14 rounded-full shadow-lg" onClick={() => setAberto(true)} aria-label="Abrir assistente">
        <MessageCircle className="h-6 w-6" />
      </Button>
    )
  }

  return (
    <div className="fixed bottom-6 right-6 flex h-[28rem] w-80 flex-col rounded-xl border bg-background shadow-xl">
      <div className="flex items-center justify-between border-b px-4 py-3">
        <span className="font-medium">Tire suas dúvidas</span>
        <Button variant="ghost" size="icon" onClick={() => setAberto(false)}>
          <X className="h-4 w-4" />
        </Button>
      </div>
      <ScrollArea className="flex-1 p-4">
        <div className="space-y-3 text-sm">
          {messages.length === 0 && <p className="text-muted-foreground">Olá! Posso ajudar com horários, convênios e preparo para exames.</p>}
          {messages.map((m) => (
            <div key={m.id} className={m.role === 'user' ? 'ml-8 rounded-lg bg-primary p-2 text-primary-foreground' : 'mr-8 rounded-lg bg-muted p-2'}>
              {m.parts.map((parte, i) => (parte.type === 'text' ? <span key={i}>{parte.text}</span> : null))}
            </div>
          ))}
        </div>
      </ScrollArea>
      <form
        className="flex gap-2 border-t p-3"
        onSubmit={(e) => {
          e.preventDefault()
          if (!texto.trim()) return
          sendMessage({ text: texto })
          setTexto('')
        }}
      >
        <Input value={texto} onChange={(e) => setTexto(e.target.value)} placeholder="Digite sua mensagem…" disabled={status === 'streaming'} />
        <Button type="submit" size="icon">
          <Send className="h-4 w-4" />
        </Button>
      </form>
    </div>
  )
}
