/** Dead letters (docs/SPEC.md section 3): the original key and value bytes, unchanged, plus why and where from. */
import type { IHeaders, Message } from 'kafkajs'
import type { Rejection } from './decode/outcome.js'

export interface MessageOrigin {
  readonly topic: string
  readonly partition: number
}

/**
 * What a dead letter carries of a consumed message. kafkajs hands out keys, values and headers as
 * views into the whole fetch response, so one message kept as consumed keeps that response alive:
 * `retainMessage` copies the few bytes out.
 */
export interface RetainedMessage {
  readonly offset: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers?: IHeaders
}

export function retainMessage(message: RetainedMessage): RetainedMessage {
  const retained = { offset: message.offset, key: copyOf(message.key), value: copyOf(message.value) }
  const names = message.headers === undefined ? [] : Object.keys(message.headers)
  if (names.length === 0) return retained
  const headers: IHeaders = {}
  for (const name of names) {
    const header = message.headers?.[name]
    headers[name] = Array.isArray(header) ? header.map(copyHeaderValue) : header === undefined ? undefined : copyHeaderValue(header)
  }
  return { ...retained, headers }
}

/** Bytes of a message's key, value and headers (names included): what keeping it costs, bar a small fixed overhead. */
export function retainedBytes(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  let bytes = byteLength(message.key) + byteLength(message.value)
  for (const [name, header] of Object.entries(message.headers ?? {})) {
    bytes += name.length
    for (const value of Array.isArray(header) ? header : [header]) bytes += byteLength(value)
  }
  return bytes
}

export function deadLetterOf(origin: MessageOrigin, message: RetainedMessage, rejection: Rejection, failedAt: Date): Message {
  const headers: IHeaders = {
    ...message.headers,
    'x-error-code': rejection.code,
    'x-error-message': rejection.message,
    'x-source-topic': origin.topic,
    'x-source-partition': String(origin.partition),
    'x-source-offset': message.offset,
    'x-failed-at': failedAt.toISOString(),
  }
  return { key: message.key, value: message.value, headers }
}

function copyOf(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes)
}

function copyHeaderValue(value: Buffer | string): Buffer | string {
  return typeof value === 'string' ? value : Buffer.from(value)
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length
}
