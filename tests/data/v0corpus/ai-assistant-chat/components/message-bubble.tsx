import ReactMarkdown from 'react-markdown'
import { Bot, User } from 'lucide-react'
import type { UIMessage } from 'ai'
import { Avatar, AvatarFallback } from '@/components/ui/avatar'
import { cn } from '@/lib/utils'

export function MessageBubble({ message }: { message: UIMessage }) {
  const isUser = message.role === 'user'

  return (
    <div className={cn('flex gap-3', isUser && 'flex-row-reverse')}>
      <Avatar className="mt-1">
        <AvatarFallback>{isUser ? <User className="size-4" /> : <Bot className="size-4" />}</AvatarFallback>
      </Avatar>
      <div
        className={cn(
          'max-w-[75%] rounded-2xl px-4 py-2.5 text-sm leading-relaxed',
          isUser ? 'bg-primary text-primary-foreground' : 'bg-muted',
        )}
      >
        {message.parts.map((part, index) =>
          part.type === 'text' ? (
            <div key={index} className="prose prose-sm max-w-none dark:prose-invert">
              <ReactMarkdown>{part.text}</ReactMarkdown>
            </div>
          ) : null,
        )}
      </div>
    </div>
  )
}
