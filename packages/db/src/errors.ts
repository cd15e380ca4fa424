/** SQLSTATE codes this package reacts to. */
export const PgErrorCode = {
  duplicateTable: '42P07',
  duplicateDatabase: '42P04',
  undefinedTable: '42P01',
  lockNotAvailable: '55P03',
  deadlockDetected: '40P01',
  checkViolation: '23514',
  uniqueViolation: '23505',
} as const

/** The SQLSTATE of a pg error, or undefined for anything else. */
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** Socket errors of a server going away (a restart resets pooled connections: ECONNRESET/EPIPE). */
const CONNECTION_SOCKET_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'])

/**
 * The one answer to "is PostgreSQL gone (for now)?": connection exceptions (class 08),
 * operator intervention such as a shutdown (57P), a missing database (3D000), insufficient
 * resources (53), socket errors, and node-postgres's code-less messages for a client whose
 * server went away. Retrying later may succeed; the request or message itself is not at fault.
 * Socket codes are the same for any TCP dependency, so the API also uses it for Redis.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error) ?? ''
  if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || code === '3D000') return true
  if (CONNECTION_SOCKET_CODES.has(code)) return true
  return (
    error instanceof Error &&
    /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/.test(error.message)
  )
}

/** Deadlock or serialization failure: the same work retried at once may succeed. */
export function isConcurrencyConflict(error: unknown): boolean {
  const code = pgErrorCode(error)
  return code === '40P01' || code === '40001'
}

/** SQLSTATE classes caused by the data itself (22 data exception, 23 integrity violation): retrying fails the same way. */
export function isDataError(error: unknown): boolean {
  const code = pgErrorCode(error)
  return code !== undefined && /^2[23][0-9A-Z]{3}$/.test(code)
}
