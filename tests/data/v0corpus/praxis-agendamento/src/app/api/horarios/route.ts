import { NextRequest, NextResponse } from 'next/server'
import { buscarMedico, gerarHorarios } from '@/lib/agenda'

// Horários já reservados (exemplo) por médico e dia.
const ocupados: Record<string, string[]> = {
  'dra-helena': ['08:30', '09:00', '14:00'],
  'dr-rafael': ['10:00', '10:20'],
}

export function GET(request: NextRequest) {
  const medico = buscarMedico(request.nextUrl.searchParams.get('medico') ?? '')
  const data = request.nextUrl.searchParams.get('data')
  if (!medico || !data) {
    return NextResponse.json({ erro: 'Informe médico e data' }, { status: 400 })
  }
  const dia = new Date(`${data}T12:00:00`)
  return NextResponse.json({ horarios: gerarHorarios(medico, dia, ocupados[medico.id]) })
}
