"use client";

import { useChat } from "ai/react";
import { Send } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

function ChatBubble({ role, content }: { role: string; content: string }) {
  return (
    <div className={role === "user" ? "ml-auto max-w-[80%] rounded-lg bg-primary px-3 py-2 text-primary-foreground" : "max-w-[80%] rounded-lg bg-muted px-3 py-2"}>
      {content}
    </div>
  );
}

export function ChatWidget() {
  const { messages, input, handleInputChange, handleSubmit, isLoading } = useChat({ api: "/api/chat" });

  return (
    <section className="fixed bottom-6 right-6 w-80 rounded-xl border bg-background shadow-lg">
      <header className="border-b px-4 py-3 font-medium">Ask the studio</header>
      <div className="flex h-72 flex-col gap-2 overflow-y-auto p-4 text-sm">
        {messages.map((message) => (
          <ChatBubble key={message.id} role={message.role} content={message.content} />
        ))}
      </div>
      <form onSubmit={handleSubmit} className="flex gap-2 border-t p-3">
        <Input
          value={input}
          onChange={handleInputChange}
          placeholder="Type a message…"
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) e.currentTarget.form?.requestSubmit();
          }}
        />
        <Button type="submit" size="icon" disabled={isLoading}>
          <Send className="h-4 w-4" />
        </Button>
      </form>
    </section>
  );
}
