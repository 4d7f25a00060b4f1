// Monta o "BR Code" (payload EMV) de uma cobrança PIX estática.
function campo(id: string, valor: string) {
  return `${id}${valor.length.toString().padStart(2, '0')}${valor}`
}

function crc16(payload: string) {
  let crc = 0xffff
  for (let i = 0; i < payload.length; i++) {
    crc ^= payload.charCodeAt(i) << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
      crc &= 0xffff
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

export function gerarPixCopiaECola({
  chave,
  valor,
  nomeRecebedor,
  cidade,
  txid,
}: {
  chave: string
  valor: number
  nomeRecebedor: string
  cidade: string
  txid: string
}) {
  const contaRecebedor = campo('00', 'br.gov.bcb.pix') + campo('01', chave)
  const semCrc =
    campo('00', '01') +
    campo('26', contaRecebedor) +
    campo('52', '0000') +
    campo('53', '986') +
    campo('54', valor.toFixed(2)) +
    campo('58', 'BR') +
    campo('59', nomeRecebedor.slice(0, 25)) +
    campo('60', cidade.slice(0, 15)) +
    campo('62', campo('05', txid.slice(0, 25))) +
    '6304'
  return semCrc + crc16(semCrc)
}

export function cpfValido(cpf: string) {
  const numeros = cpf.replace(/\D/g, '')
  if (numeros.length !== 11 || /^(\d)\1+$/.test(numeros)) return false
  const digito = (base: number) => {
    let soma = 0
    for (let i = 0; i < base; i++) soma += Number(numeros[i]) * (base + 1 - i)
    const resto = (soma * 10) % 11
    return resto === 10 ? 0 : resto
  }
  return digito(9) === Number(numeros[9]) && digito(10) === Number(numeros[10])
}
