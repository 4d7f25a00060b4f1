import { openai } from "@ai-sdk/openai";
import { streamText } from "ai";

export const maxDuration = 30;

export async function POST(req: Request) {
  const { messages } = await req.json();
  const result = streamText({
    model: openai("gpt-4o-mini"),
    system: "You are the friendly front desk of Studio Flow Pilates. Help people book classes.",
    messages,
  });
  return result.toDataStreamResponse();
}
