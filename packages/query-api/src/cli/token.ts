/**
 * Prints an HS256 token for local use:
 *   pnpm token --sub user-1 [--operator] [--ttl 3600]
 * Signed with JWT_SECRET, or the documented dev secret outside production.
 */
import { parseArgs } from 'node:util'
import { signDevToken } from '../auth/sign.js'
import { loadApiConfig } from '../config.js'

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-user' },
    operator: { type: 'boolean', default: false },
    ttl: { type: 'string', default: '3600' },
  },
})

const ttlSeconds = Number(values.ttl)
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  process.stderr.write(`--ttl must be a positive number of seconds, got "${values.ttl}"\n`)
  process.exit(2)
}
const { auth } = loadApiConfig()
if (auth.secret === undefined) {
  process.stderr.write('no HS256 secret: set JWT_SECRET (tokens for a JWKS setup come from your identity provider)\n')
  process.exit(2)
}
const token = await signDevToken(auth.secret, {
  sub: values.sub,
  operator: values.operator,
  ttlSeconds,
  ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
  ...(auth.audience === undefined ? {} : { audience: auth.audience }),
})
process.stdout.write(`${token}\n`)
