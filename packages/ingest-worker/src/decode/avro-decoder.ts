/**
 * Decodes Confluent-framed Avro with the writer schema from the registry (cached by the
 * registry client) resolved into the project's own reader schema, so compatible
 * evolution keeps working. Resolvers are cached per (kind, writer schema id).
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { avroOptions, avroType, readerSchema, type AvroType, type DomainEventKind } from '@event-analytics/contracts'
import { FramingError, parseConfluentFrame } from './framing.js'
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

export class AvroDecoder {
  private readonly readers = new Map<DomainEventKind, AvroType>()
  private readonly resolvers = new Map<string, Resolving | Error>()

  constructor(private readonly registry: SchemaRegistry) {}

  async decode(kind: DomainEventKind, value: Buffer | null): Promise<DecodeResult> {
    let frame
    try {
      frame = parseConfluentFrame(value)
    } catch (error) {
      if (error instanceof FramingError) return reject('DECODE_FAILED', error.message)
      throw error
    }
    const resolving = await this.resolving(kind, frame.schemaId)
    if ('rejected' in resolving) return resolving
    try {
      const record = resolving.reader.fromBuffer(frame.payload, resolving.resolver) as DecodedRecord
      return { record }
    } catch (error) {
      return reject('DECODE_FAILED', `Avro body does not decode with writer schema ${frame.schemaId}: ${messageOf(error)}`)
    }
  }

  private async resolving(kind: DomainEventKind, schemaId: number): Promise<Resolving | Rejected> {
    const key = `${kind}:${schemaId}`
    let cached = this.resolvers.get(key)
    if (cached === undefined) {
      const writer = await this.writerType(schemaId)
      if ('rejected' in writer) return writer
      cached = this.resolve(kind, writer.type, schemaId)
      this.resolvers.set(key, cached)
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
