/// <reference types="node" />
// Node's Buffer: declared here so that a program which type-checks these sources with
// other `types` (the browser page, through query-api's schemas) still knows them.
/**
 * Exact decimals. Money and rates travel as canonical strings ("1500000.00") and are
 * computed on as scaled bigints, so no value ever passes through a binary float.
 */

/** A decimal rendered with exactly its scale's fraction digits, e.g. "-12.50". */
export type DecimalString = string

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/

export class DecimalFormatError extends Error {
  override name = 'DecimalFormatError'
}

/** Parses `text` into its unscaled integer at `scale`; more fraction digits than `scale` is an error, never a rounding. */
export function parseDecimal(text: string, scale: number): bigint {
  const match = DECIMAL_PATTERN.exec(text.trim())
  if (!match) throw new DecimalFormatError(`"${text}" is not a decimal number`)
  const [, sign, whole = '0', fraction = ''] = match
  if (fraction.length > scale) {
    throw new DecimalFormatError(`"${text}" has more than ${scale} fraction digits`)
  }
  const unscaled = BigInt(whole + fraction.padEnd(scale, '0'))
  return sign === '-' ? -unscaled : unscaled
}

/** Renders an unscaled integer with `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): DecimalString {
  const negative = unscaled < 0n
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = digits.slice(digits.length - scale)
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`
}

/** Number of significant decimal digits of an unscaled value (its Avro/SQL precision). */
export function precisionOf(unscaled: bigint): number {
  return (unscaled < 0n ? -unscaled : unscaled).toString().length
}

/** Avro's decimal bytes: the unscaled value as big-endian two's complement. */
export function unscaledFromTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  const negative = (bytes[0]! & 0x80) !== 0
  return negative ? value - (1n << BigInt(bytes.length * 8)) : value
}

/** The shortest big-endian two's complement encoding of `value`. */
export function unscaledToTwosComplement(value: bigint): Buffer {
  let length = 1
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length += 1
  const encoded = value < 0n ? value + (1n << BigInt(length * 8)) : value
  const bytes = Buffer.alloc(length)
  let rest = encoded
  for (let index = length - 1; index >= 0; index -= 1) {
    bytes[index] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}

/** Divides with rounding half away from zero ("half-up" as accountants mean it). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero')
  const negative = numerator < 0n !== denominator < 0n
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  const quotient = (n * 2n + d) / (d * 2n)
  return negative ? -quotient : quotient
}
