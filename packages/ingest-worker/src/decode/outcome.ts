import type { DomainEvent } from '@event-analytics/contracts'

/**
 * Why a message went to the dead-letter topic (header `x-error-code`). APPLY_FAILED: valid,
 * but PostgreSQL refused it after isolation (recorded by the aggregator, sent from here).
 */
export const DEAD_LETTER_CODES = ['DECODE_FAILED', 'UNKNOWN_SCHEMA', 'INCOMPATIBLE_SCHEMA', 'INVALID_FIELD', 'APPLY_FAILED'] as const
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number]

export interface Rejection {
  readonly code: DeadLetterCode
  /** Human readable; names the field or the part of the message at fault. */
  readonly message: string
}

/** Every consumed message ends as exactly one of these. */
export type Rejected = { readonly rejected: Rejection }
export type MessageOutcome = { readonly accepted: DomainEvent } | Rejected

export function reject(code: DeadLetterCode, message: string): Rejected {
  return { rejected: { code, message } }
}
