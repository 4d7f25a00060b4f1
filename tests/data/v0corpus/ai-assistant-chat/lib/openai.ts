import OpenAI from 'openai'

// Reads OPENAI_API_KEY from the environment.
export const openai = new OpenAI()
