/** Reads the dead-letter topic and checks it against the bad messages that were sent. */
import { PROJECTION_SET_HEADER } from '@event-analytics/contracts'
import { readTopicToEnd } from '@event-analytics/ingest-worker'
import type { Kafka } from 'kafkajs'
import type { BadMessage } from './bad-messages.js'

export interface DeadLetter {
  readonly key: string
  readonly code: string
  readonly reason: string
  /** The set a rebuild's ingest worker filled when it wrote the letter; none from the live pipeline. */
  readonly projectionSet?: string
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
  return messages.map((message) => {
    const projectionSet = message.headers?.[PROJECTION_SET_HEADER]?.toString()
    return {
      key: message.key?.toString() ?? '',
      code: message.headers?.['x-error-code']?.toString() ?? '',
      reason: message.headers?.['x-error-message']?.toString() ?? '',
      ...(projectionSet === undefined ? {} : { projectionSet }),
    }
  })
}

/**
 * A rebuild's dead letters against the bad messages its log holds: each once with its code, all in
 * the rebuild's own topic and marked with its set, and the live topic as it was before the rebuild
 * (none added, none marked).
 */
export function checkRebuildDeadLetters(
  sent: readonly BadMessage[],
  rebuildLetters: readonly DeadLetter[],
  live: { readonly before: readonly DeadLetter[]; readonly after: readonly DeadLetter[] },
  set: string,
): string[] {
  const report = checkDeadLetters(sent, rebuildLetters)
  const problems = [
    ...report.missing.map((key) => `bad message not dead-lettered by the rebuild: ${key}`),
    ...report.duplicated.map((key) => `dead-lettered more than once by the rebuild: ${key}`),
    ...report.wrongCode.map((detail) => `wrong dead-letter code from the rebuild: ${detail}`),
    ...report.unexpected.slice(0, 5).map((l) => `unexpected rebuild dead letter: ${l.key} ${l.code} ${l.reason}`),
    ...report.withoutReason.map((key) => `rebuild dead letter without a reason: ${key}`),
  ]
  const unmarked = rebuildLetters.filter((letter) => letter.projectionSet !== set)
  if (unmarked.length > 0)
    problems.push(
      `${unmarked.length} rebuild dead letter(s) not marked with set ${set}: ${unmarked
        .slice(0, 5)
        .map((l) => `${l.key} (${l.projectionSet ?? 'unmarked'})`)
        .join(', ')}`,
    )
  if (live.after.length !== live.before.length)
    problems.push(`the live dead-letter topic went from ${live.before.length} to ${live.after.length} letters during the rebuild`)
  const marked = live.after.filter((letter) => letter.projectionSet !== undefined)
  if (marked.length > 0)
    problems.push(`${marked.length} letter(s) of a projection set in the live dead-letter topic (${marked[0]!.projectionSet})`)
  return problems
}
