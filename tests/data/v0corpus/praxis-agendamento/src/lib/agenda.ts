import medicos from '@/data/medicos.json'

export type Medico = (typeof medicos)[number]

export const convenios = ['Particular', 'Unimed', 'Bradesco Saúde', 'SulAmérica', 'Amil'] as const

export function listarMedicos(): Medico[] {
  return medicos
}

export function buscarMedico(id: string) {
  return medicos.find((m) => m.id === id)
}

/** Horários de 08:00 às 17:00, no intervalo da duração da consulta, sem o almoço. */
export function gerarHorarios(medico: Medico, data: Date, ocupados: string[] = []) {
  if (!medico.diasAtendimento.includes(data.getDay())) return []
  const horarios: string[] = []
  for (let minutos = 8 * 60; minutos < 17 * 60; minutos += medico.duracaoConsulta) {
    if (minutos >= 12 * 60 && minutos < 13 * 60) continue
    const hora = `${String(Math.floor(minutos / 60)).padStart(2, '0')}:${String(minutos % 60).padStart(2, '0')}`
    if (!ocupados.includes(hora)) horarios.push(hora)
  }
  return horarios
}
