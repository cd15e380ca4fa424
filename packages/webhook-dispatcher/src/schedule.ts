/** When a failed delivery is tried again: exponential backoff, capped, for a bounded number of attempts. */

export interface RetrySchedule {
  /** Delay after the first failure; doubled after each further one. */
  readonly baseMs: number
  readonly maxDelayMs: number
  /** Attempts in all, the first included. */
  readonly maxAttempts: number
}

/** Delay before attempt `attemptsMade + 1`, or null once `attemptsMade` reached the limit (given up). */
export function retryDelayMs(schedule: RetrySchedule, attemptsMade: number): number | null {
  if (attemptsMade >= schedule.maxAttempts) return null
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 40)
  return Math.min(schedule.baseMs * 2 ** exponent, schedule.maxDelayMs)
}

/** The moment of the next attempt, or null when the delivery is given up. */
export function nextAttemptAt(schedule: RetrySchedule, attemptsMade: number, now: Date): Date | null {
  const delay = retryDelayMs(schedule, attemptsMade)
  return delay === null ? null : new Date(now.getTime() + delay)
}
