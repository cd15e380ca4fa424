import { stackJwtSecret } from '@event-analytics/dev-stack'

/**
 * Puts the local stack's random JWT secret into `env` as JWT_SECRET, unless the caller
 * configured auth (JWT_SECRET or JWT_JWKS_URL): no published constant ever guards the API.
 * `pnpm token` reads the same file. Returns what to tell the user, if anything.
 */
export function useStackSecret(env: NodeJS.ProcessEnv): string | undefined {
  if (env['JWT_SECRET'] !== undefined || env['JWT_JWKS_URL'] !== undefined) return undefined
  const { secret, path, created } = stackJwtSecret(env)
  env['JWT_SECRET'] = secret
  return `${created ? 'generated the local JWT secret' : 'using the local JWT secret'} (${path}; \`pnpm token\` signs with it)`
}
