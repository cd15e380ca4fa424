/// <reference types="node" />
// Node's Buffer and node:fs: declared here so that a program which type-checks these sources with
// other `types` (the browser page, through query-api's schemas) still knows them.
/**
 * The project's own Avro reader schemas (the `.avsc` files in ../schemas) and the logical
 * types they need. Decimals decode to exact DecimalStrings; timestamp-millis stays an
 * epoch-millisecond number (avsc refuses longs beyond 2^53 instead of rounding them).
 */
import { readFileSync } from 'node:fs'
import avro from 'avsc'
import type { DomainEventKind } from './events.js'
import { formatDecimal, parseDecimal, unscaledFromTwosComplement, unscaledToTwosComplement } from './decimal.js'

export type AvroType = avro.Type
export type AvroSchema = avro.Schema

interface DecimalAttributes {
  readonly precision?: number
  readonly scale?: number
}

/** Avro `bytes`/`decimal` <-> DecimalString, exact at the schema's scale. */
export class DecimalLogicalType extends avro.types.LogicalType {
  readonly precision: number
  readonly scale: number

  constructor(schema: avro.Schema, options?: avro.ForSchemaOptions) {
    super(schema, options)
    const attributes = schema as DecimalAttributes
    this.precision = attributes.precision ?? 0
    this.scale = attributes.scale ?? 0
  }

  protected override _fromValue(bytes: Buffer): string {
    return formatDecimal(unscaledFromTwosComplement(bytes), this.scale)
  }

  protected override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== 'string') return undefined
    return unscaledToTwosComplement(parseDecimal(value, this.scale))
  }

  /** Accepts a writer decimal of any scale (rescaled exactly) or plain bytes. */
  protected override _resolve(writer: avro.Type): ((value: unknown) => string) | undefined {
    if (writer instanceof DecimalLogicalType) {
      return (value) => rescale(value as string, writer.scale, this.scale)
    }
    if (writer.typeName === 'bytes') return (value) => this._fromValue(value as Buffer)
    return undefined
  }

  protected override _export(schema: avro.Schema): void {
    Object.assign(schema as object, { precision: this.precision, scale: this.scale })
  }
}

function rescale(text: string, fromScale: number, toScale: number): string {
  if (fromScale === toScale) return text
  if (fromScale < toScale) {
    return formatDecimal(parseDecimal(text, fromScale) * 10n ** BigInt(toScale - fromScale), toScale)
  }
  const unscaled = parseDecimal(text, fromScale)
  const factor = 10n ** BigInt(fromScale - toScale)
  if (unscaled % factor !== 0n) throw new Error(`${text} does not fit scale ${toScale} without rounding`)
  return formatDecimal(unscaled / factor, toScale)
}

/**
 * Options every Avro type of the project is parsed with (reader and writer schemas alike).
 * A fresh object each time: avsc records named types in `options.registry`.
 */
export function avroOptions(): Partial<avro.ForSchemaOptions> {
  return { logicalTypes: { decimal: DecimalLogicalType }, registry: {} }
}

const SCHEMA_FILES: Readonly<Record<DomainEventKind, string>> = {
  EventCreated: 'event-created.avsc',
  EventStatusChanged: 'event-status-changed.avsc',
  DistributionCompleted: 'distribution-completed.avsc',
  ParticipantRegistered: 'participant-registered.avsc',
}

/** The reader schema (parsed JSON) of one domain event kind. */
export function readerSchema(kind: DomainEventKind): AvroSchema {
  const url = new URL(`../schemas/${SCHEMA_FILES[kind]}`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as AvroSchema
}

export function avroType(schema: AvroSchema): AvroType {
  return avro.Type.forSchema(schema, avroOptions())
}

/** The fields writer schema v2 of `event-created` added to v1: the schedule. */
export const EVENT_CREATED_V2_FIELDS: readonly string[] = ['startsAt', 'endsAt']

/**
 * Writer schema v1 of `event-created`: the reader schema without the v2 fields. Producers that
 * predate the schedule still write it, so the reader schema must go on resolving it.
 */
export function eventCreatedV1Schema(): AvroSchema {
  const record = readerSchema('EventCreated') as unknown as { fields: { name: string }[] }
  record.fields = record.fields.filter((field) => !EVENT_CREATED_V2_FIELDS.includes(field.name))
  return record as unknown as AvroSchema
}
