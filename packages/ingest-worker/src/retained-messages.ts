/**
 * The bytes an APPLY_FAILED dead letter needs of a batch's messages, packed. kafkajs hands out
 * keys and values as views into the fetch response, and each message object costs a few hundred
 * bytes of heap besides; a pending batch instead keeps one buffer, two typed arrays and the rare
 * headers, for as long as PostgreSQL may still refuse one of its messages.
 */
import type { IHeaders } from 'kafkajs'
import { retainMessage, retainedBytes, type RetainedMessage } from './dead-letter.js'

/** A null key or value (an empty one has length 0). */
const ABSENT = -1

export class RetainedMessages {
  private constructor(
    private readonly base: bigint,
    /** Each message's offset minus `base`, ascending. */
    private readonly deltas: Float64Array,
    /** Per message its key's length, then its value's (`ABSENT` for null), packed in this order in `data`. */
    private readonly lengths: Int32Array,
    private readonly data: Buffer,
    /** Copied headers of the messages that have any, by index. */
    private readonly headers: ReadonlyMap<number, IHeaders>,
    /** What keeping all this costs, bar a small fixed overhead. */
    readonly bytes: number,
  ) {}

  /** Copies what a dead letter needs of `messages` (in offset order, as a batch delivers them). */
  static of(messages: readonly RetainedMessage[]): RetainedMessages {
    const base = messages.length === 0 ? 0n : BigInt(messages[0]!.offset)
    const deltas = new Float64Array(messages.length)
    const lengths = new Int32Array(messages.length * 2)
    const headers = new Map<number, IHeaders>()
    let size = 0
    for (const message of messages) size += (message.key?.length ?? 0) + (message.value?.length ?? 0)
    const data = Buffer.allocUnsafeSlow(size)
    let position = 0
    let headerBytes = 0
    const pack = (part: Buffer | null, slot: number): void => {
      lengths[slot] = part === null ? ABSENT : part.length
      if (part !== null) position += part.copy(data, position)
    }
    messages.forEach((message, index) => {
      deltas[index] = Number(BigInt(message.offset) - base)
      pack(message.key, index * 2)
      pack(message.value, index * 2 + 1)
      if (!hasAny(message.headers)) return
      const copied = retainMessage({ offset: message.offset, key: null, value: null, headers: message.headers }).headers ?? {}
      headers.set(index, copied)
      headerBytes += retainedBytes({ value: null, headers: copied })
    })
    return new RetainedMessages(base, deltas, lengths, data, headers, size + deltas.byteLength + lengths.byteLength + headerBytes)
  }

  get count(): number {
    return this.deltas.length
  }

  /** The message at `offset`, its key and value views into the packed bytes; undefined if not kept. */
  find(offset: string): RetainedMessage | undefined {
    const index = this.indexOf(Number(BigInt(offset) - this.base))
    if (index === undefined) return undefined
    let position = 0
    for (let slot = 0; slot < index * 2; slot += 1) position += Math.max(this.lengths[slot]!, 0)
    const part = (slot: number): Buffer | null => {
      const length = this.lengths[index * 2 + slot]!
      if (length === ABSENT) return null
      const start = position
      position += length
      return this.data.subarray(start, start + length)
    }
    const key = part(0)
    const value = part(1)
    const headers = this.headers.get(index)
    return headers === undefined ? { offset, key, value } : { offset, key, value, headers }
  }

  private indexOf(delta: number): number | undefined {
    let low = 0
    let high = this.deltas.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const found = this.deltas[middle]!
      if (found === delta) return middle
      if (found < delta) low = middle + 1
      else high = middle - 1
    }
    return undefined
  }
}

/** kafkajs gives every message a headers object, nearly always empty: tell without allocating a key list. */
function hasAny(headers: IHeaders | undefined): boolean {
  for (const _name in headers) return true
  return false
}
