/**
 * Prints an HS256 token for local use:
 *   pnpm token --sub user-1 [--operator | --viewer] [--ttl 3600]
 *   pnpm --filter @event-analytics/query-api token -- --sub user-1   (pnpm 10 passes the `--` on)
 * Signed with JWT_SECRET, else with the local stack's generated secret (the one `npm start`
 * gives the API; created here when the stack has none yet).
 */
import { parseArgs } from 'node:util'
import { stackJwtSecret } from '@event-analytics/dev-stack'
import { signDevToken } from '../auth/sign.js'
import { loadApiConfig } from '../config.js'

const USAGE = 'usage: token [--sub <userId>] [--operator | --viewer] [--ttl <seconds>]\n'

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
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
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    return process.exit(2)
  }
}

const values = parse(process.argv.slice(2))
const ttlSeconds = Number(values.ttl)
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  process.stderr.write(`--ttl must be a positive number of seconds, got "${values.ttl}"\n`)
  process.exit(2)
}
const configured = process.env['JWT_SECRET'] !== undefined || process.env['JWT_JWKS_URL'] !== undefined
const { auth } = loadApiConfig(configured ? process.env : { ...process.env, JWT_SECRET: stackJwtSecret().secret })
if (auth.secret === undefined || auth.jwksUrl !== undefined) {
  process.stderr.write('no HS256 secret in use: with JWT_JWKS_URL, tokens come from your identity provider\n')
  process.exit(2)
}
const token = await signDevToken(auth.secret, {
  sub: values.sub,
  operator: values.operator,
  viewer: values.viewer,
  ttlSeconds,
  ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
  ...(auth.audience === undefined ? {} : { audience: auth.audience }),
})
process.stdout.write(`${token}\n`)
