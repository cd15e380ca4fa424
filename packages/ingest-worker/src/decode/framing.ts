/** Confluent wire framing: magic byte 0, 4-byte big-endian schema id, then the Avro body. */

export const MAGIC_BYTE = 0
const HEADER_LENGTH = 5

export interface ConfluentFrame {
  readonly schemaId: number
  readonly payload: Buffer
}

export class FramingError extends Error {
  override name = 'FramingError'
}

export function parseConfluentFrame(value: Buffer | null): ConfluentFrame {
  if (value === null || value.length === 0) throw new FramingError('message has no value')
  if (value[0] !== MAGIC_BYTE) {
    throw new FramingError(`magic byte is ${value[0]}, expected ${MAGIC_BYTE} (not Confluent-framed Avro)`)
  }
  if (value.length < HEADER_LENGTH) {
    throw new FramingError(`message is ${value.length} bytes, shorter than the ${HEADER_LENGTH}-byte Confluent header`)
  }
  return { schemaId: value.readUInt32BE(1), payload: value.subarray(HEADER_LENGTH) }
}

export function frameConfluent(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH)
  header.writeUInt8(MAGIC_BYTE, 0)
  header.writeUInt32BE(schemaId, 1)
  return Buffer.concat([header, payload])
}
