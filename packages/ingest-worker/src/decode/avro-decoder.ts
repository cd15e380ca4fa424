/**
 * Decodes Confluent-framed Avro with the writer schema from the registry (cached by the
 * registry client) resolved into the project's own reader schema, so compatible
 * evolution keeps working. Resolvers are cached per (kind, writer schema id).
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { avroOptions, avroType, readerSchema, type AvroType, type DomainEventKind } from '@event-analytics/contracts'
import { CONFLUENT_HEADER_LENGTH, FramingError, confluentSchemaId } from './framing.js'
import { reject, type Rejected } from './outcome.js'

export type DecodedRecord = Record<string, unknown>
export type DecodeResult = { readonly record: DecodedRecord } | Rejected

/** The registry could not be asked (down, timeout): not the message's fault, so retry later. */
export class RegistryUnavailableError extends Error {
  override name = 'RegistryUnavailableError'
}

interface Resolving {
  readonly reader: AvroType
  readonly resolver: ReturnType<AvroType['createResolver']>
}

export function createSchemaRegistry(registryUrl: string): SchemaRegistry {
  return new SchemaRegistry(
    { host: registryUrl, retry: { retries: 2 } },
    // Without avsc's `registry`: the client copies these options for every schema it parses.
    { [SchemaType.AVRO]: { logicalTypes: avroOptions().logicalTypes } },
  )
}

/** Decodes one batch's messages synchronously: their writer schemas were looked up before. */
export interface BatchDecoder {
  decode(value: Buffer | null): DecodeResult
}

export class AvroDecoder {
  private readonly readers = new Map<DomainEventKind, AvroType>()
  /** Per kind, by writer schema id; a schema the registry does not know is asked again with the next batch. */
  private readonly resolvers = new Map<DomainEventKind, Map<number, Resolving | Error>>()

  constructor(private readonly registry: SchemaRegistry) {}

  /**
   * Looks up every writer schema `values` name (the registry client caches them), so the
   * returned decoder never waits: a batch of thousands of messages costs no promise per message.
   */
  async forBatch(kind: DomainEventKind, values: readonly (Buffer | null)[]): Promise<BatchDecoder> {
    const writers = new Map<number, Resolving | Rejected>()
    for (const schemaId of schemaIdsOf(values)) writers.set(schemaId, await this.resolving(kind, schemaId))
    return { decode: (value) => decodeWith(writers, value) }
  }

  private async resolving(kind: DomainEventKind, schemaId: number): Promise<Resolving | Rejected> {
    let byId = this.resolvers.get(kind)
    if (byId === undefined) {
      byId = new Map()
      this.resolvers.set(kind, byId)
    }
    let cached = byId.get(schemaId)
    if (cached === undefined) {
      const writer = await this.writerType(schemaId)
      if ('rejected' in writer) return writer
      cached = this.resolve(kind, writer.type, schemaId)
      byId.set(schemaId, cached)
    }
    if (cached instanceof Error) return reject('INCOMPATIBLE_SCHEMA', cached.message)
    return cached
  }

  private resolve(kind: DomainEventKind, writer: AvroType, schemaId: number): Resolving | Error {
    const reader = this.reader(kind)
    try {
      return { reader, resolver: reader.createResolver(writer) }
    } catch (error) {
      return new Error(
        `writer schema ${schemaId} (${writer.name ?? writer.typeName}) cannot be read as ${reader.name}: ${messageOf(error)}`,
      )
    }
  }

  private async writerType(schemaId: number): Promise<{ type: AvroType } | Rejected> {
    try {
      const schema = await this.registry.getSchema(schemaId)
      return { type: schema as unknown as AvroType }
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status === 404) return reject('UNKNOWN_SCHEMA', `schema id ${schemaId} is not in the registry`)
      if (status !== undefined && status >= 400 && status < 500) {
        return reject('UNKNOWN_SCHEMA', `registry refused schema id ${schemaId} (HTTP ${status})`)
      }
      throw new RegistryUnavailableError(`schema registry unavailable while fetching schema ${schemaId}: ${messageOf(error)}`)
    }
  }

  private reader(kind: DomainEventKind): AvroType {
    let reader = this.readers.get(kind)
    if (!reader) {
      reader = avroType(readerSchema(kind))
      this.readers.set(kind, reader)
    }
    return reader
  }
}

/** The distinct schema ids of the framed values (the others are refused by their decode). */
function schemaIdsOf(values: readonly (Buffer | null)[]): Set<number> {
  const ids = new Set<number>()
  for (const value of values) {
    try {
      ids.add(confluentSchemaId(value))
    } catch (error) {
      if (!(error instanceof FramingError)) throw error
    }
  }
  return ids
}

function decodeWith(writers: ReadonlyMap<number, Resolving | Rejected>, value: Buffer | null): DecodeResult {
  let schemaId: number
  try {
    schemaId = confluentSchemaId(value)
  } catch (error) {
    if (error instanceof FramingError) return reject('DECODE_FAILED', error.message)
    throw error
  }
  const resolving = writers.get(schemaId)
  if (resolving === undefined) throw new Error(`writer schema ${schemaId} was not looked up for this batch`)
  if ('rejected' in resolving) return resolving
  const body = value!
  try {
    // At an offset instead of on a subarray: no buffer view per message.
    const decoded = resolving.reader.decode(body, CONFLUENT_HEADER_LENGTH, resolving.resolver)
    if (decoded.offset === -1) throw new Error('truncated buffer')
    if (decoded.offset < body.length) throw new Error('trailing data')
    return { record: decoded.value as DecodedRecord }
  } catch (error) {
    return reject('DECODE_FAILED', `Avro body does not decode with writer schema ${schemaId}: ${messageOf(error)}`)
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
