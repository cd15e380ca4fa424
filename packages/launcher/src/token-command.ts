/**
 * The token command's work, apart from the process it runs in: arguments and environment in, a
 * token or a usage error out (the CLI in token.ts prints it and sets the exit code).
 */
import { parseArgs } from 'node:util'
import { apiTokenAudience, loadApiConfig, signDevToken } from '@event-analytics/query-api'
import { useStackSecret } from './secret.js'

export const TOKEN_USAGE = 'usage: token [--sub <userId>] [--operator | --viewer] [--ttl <seconds>]'

export type TokenResult = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string }

/** The HS256 API token the arguments ask for, signed as token.ts documents. Never throws on bad input. */
export async function mintToken(argv: readonly string[], environment: NodeJS.ProcessEnv): Promise<TokenResult> {
  let values: { sub: string; operator: boolean; viewer: boolean; ttl: string }
  try {
    values = parseArgs({
      // pnpm 10 hands `--` to the script; here it separates nothing.
      args: argv.filter((arg) => arg !== '--'),
      options: {
        sub: { type: 'string', default: 'dev-user' },
        operator: { type: 'boolean', default: false },
        viewer: { type: 'boolean', default: false },
        ttl: { type: 'string', default: '3600' },
      },
      strict: true,
    }).values
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n${TOKEN_USAGE}` }
  }
  const ttlSeconds = Number(values.ttl)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    return { ok: false, message: `--ttl must be a positive number of seconds, got "${values.ttl}"` }
  }
  const env = { ...environment }
  useStackSecret(env)
  const { auth } = loadApiConfig(env)
  if (auth.secret === undefined || auth.jwksUrl !== undefined) {
    return { ok: false, message: 'no HS256 secret in use: with JWT_JWKS_URL, tokens come from your identity provider' }
  }
  const token = await signDevToken(auth.secret, {
    sub: values.sub,
    operator: values.operator,
    viewer: values.viewer,
    ttlSeconds,
    ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
    audience: apiTokenAudience(auth.audience),
  })
  return { ok: true, token }
}
