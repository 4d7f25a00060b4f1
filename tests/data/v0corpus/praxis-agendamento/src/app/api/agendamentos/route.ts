import { NextResponse } from 'next/server'
import { z } from 'zod'

const agendamentoSchema = z.object({
  medicoId: z.string(),
  data: z.string(),
  horario: z.string().regex(/^\d{2}:\d{2}$/),
  paciente: z.object({
    nome: z.string().min(3),
    cpf: z.string().min(11),
    telefone: z.string().min(10),
    email: z.string().email(),
    convenio: z.string(),
  }),
})

export async function POST(request: Request) {
  const resultado = agendamentoSchema.safeParse(await request.json())
  if (!resultado.success) {
    return NextResponse.json({ erro: resultado.error.flatten() }, { status: 422 })
  }
  const protocolo = `AG${Date.now().toString().slice(-6)}`
  // A confirmação por WhatsApp é enviada pela recepção.
  return NextResponse.json({ protocolo, ...resultado.data }, { status: 201 })
}
