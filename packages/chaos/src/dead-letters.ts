/** Reads the dead-letter topic and checks it against the bad messages that were sent. */
import { readTopicToEnd } from '@event-analytics/ingest-worker'
import type { Kafka } from 'kafkajs'
import type { BadMessage } from './bad-messages.js'

export interface DeadLetter {
  readonly key: string
  readonly code: string
  readonly reason: string
}

export interface DeadLetterReport {
  readonly expected: number
  readonly received: number
  /** Bad messages with no dead letter. */
  readonly missing: string[]
  /** Keys dead-lettered more than once. */
  readonly duplicated: string[]
  /** Key -> "expected X, got Y". */
  readonly wrongCode: string[]
  /** Dead letters whose key is not one of the bad messages (valid data lost to the DLQ). */
  readonly unexpected: DeadLetter[]
  /** Dead letters without a reason header. */
  readonly withoutReason: string[]
}

export function checkDeadLetters(sent: readonly BadMessage[], letters: readonly DeadLetter[]): DeadLetterReport {
  const byKey = new Map<string, DeadLetter[]>()
  for (const letter of letters) byKey.set(letter.key, [...(byKey.get(letter.key) ?? []), letter])
  const wanted = new Map(sent.map((message) => [message.key, message]))
  const report = {
    expected: sent.length,
    received: letters.length,
    missing: [] as string[],
    duplicated: [] as string[],
    wrongCode: [] as string[],
    unexpected: letters.filter((letter) => !wanted.has(letter.key)),
    withoutReason: [] as string[],
  }
  for (const message of sent) {
    const found = byKey.get(message.key) ?? []
    if (found.length === 0) report.missing.push(`${message.key} (${message.variant})`)
    if (found.length > 1) report.duplicated.push(`${message.key} x${found.length}`)
    const first = found[0]
    if (first !== undefined && first.code !== message.code)
      report.wrongCode.push(`${message.key} (${message.variant}): expected ${message.code}, got ${first.code}`)
    if (first !== undefined && first.reason.trim() === '') report.withoutReason.push(message.key)
  }
  return report
}

export const deadLettersOk = (report: DeadLetterReport): boolean =>
  report.missing.length === 0 &&
  report.duplicated.length === 0 &&
  report.wrongCode.length === 0 &&
  report.unexpected.length === 0 &&
  report.withoutReason.length === 0

/**
 * Every committed dead letter (read_committed), read to the topic's end. Read it once the
 * pipeline is idle (`waitUntilIdle`: the ingest group committed every input): the worker sends
 * each dead letter in the transaction that commits its source offset, so none can follow.
 */
export async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const messages = [...(await readTopicToEnd(kafka, topic)).values()].flat()
  return messages.map((message) => ({
    key: message.key?.toString() ?? '',
    code: message.headers?.['x-error-code']?.toString() ?? '',
    reason: message.headers?.['x-error-message']?.toString() ?? '',
  }))
}
