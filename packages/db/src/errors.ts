/** SQLSTATE codes this package reacts to. */
export const PgErrorCode = {
  duplicateTable: '42P07',
  duplicateDatabase: '42P04',
  undefinedTable: '42P01',
  lockNotAvailable: '55P03',
  deadlockDetected: '40P01',
  checkViolation: '23514',
} as const

/** The SQLSTATE of a pg error, or undefined for anything else. */
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}
