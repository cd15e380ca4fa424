/**
 * Prints an HS256 API token (the API audience: JWT_AUDIENCE, else API_TOKEN_AUDIENCE) for local use:
 *   pnpm --filter @event-analytics/query-api token -- --sub user-1 [--operator | --viewer] [--ttl 3600]
 * (pnpm 10 passes the `--` on). Signed with JWT_SECRET, else with the local stack's generated
 * secret (the one `npm start` gives the API; created here when the stack has none yet). It
 * lives with the launcher, not in the API, so the API's production image carries neither the
 * local-stack manager nor its Kafka client; the API's `token` script runs this file.
 * Exit codes: 0 printed a token; 2 usage error.
 */
import { mintToken } from './token-command.js'

const result = await mintToken(process.argv.slice(2), process.env)
if (result.ok) {
  process.stdout.write(`${result.token}\n`)
} else {
  process.stderr.write(`${result.message}\n`)
  process.exitCode = 2
}
