/** Confluent wire framing: magic byte 0, 4-byte big-endian schema id, then the Avro body. */

export const MAGIC_BYTE = 0
export const CONFLUENT_HEADER_LENGTH = 5

export interface ConfluentFrame {
  readonly schemaId: number
  readonly payload: Buffer
}

export class FramingError extends Error {
  override name = 'FramingError'
}

export function parseConfluentFrame(value: Buffer | null): ConfluentFrame {
  const schemaId = confluentSchemaId(value)
  return { schemaId, payload: value!.subarray(CONFLUENT_HEADER_LENGTH) }
}

/** The schema id of a framed value; the body starts at `CONFLUENT_HEADER_LENGTH`. Throws FramingError. */
export function confluentSchemaId(value: Buffer | null): number {
  if (value === null || value.length === 0) throw new FramingError('message has no value')
  if (value[0] !== MAGIC_BYTE) {
    throw new FramingError(`magic byte is ${value[0]}, expected ${MAGIC_BYTE} (not Confluent-framed Avro)`)
  }
  if (value.length < CONFLUENT_HEADER_LENGTH) {
    throw new FramingError(`message is ${value.length} bytes, shorter than the ${CONFLUENT_HEADER_LENGTH}-byte Confluent header`)
  }
  return value.readUInt32BE(1)
}

export function frameConfluent(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(CONFLUENT_HEADER_LENGTH)
  header.writeUInt8(MAGIC_BYTE, 0)
  header.writeUInt32BE(schemaId, 1)
  return Buffer.concat([header, payload])
}
