/**
 * docker-compose.yml is not run in CI (no container engine here); this is what stands in for
 * it: each application service's environment goes through that service's own loader, and an
 * unknown variable or an address that is not a compose service fails.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { checkComposeEnvironments } from '../src/config/compose.js'

const composeText = readFileSync(fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url)), 'utf8')
/** What `docker compose up` needs from the shell (the file's `${...:?}` says so). */
const shell = { JWT_SECRET: 'compose-check-secret-0123456789-0123456789' }

t.test('every application service starts with the environment compose gives it', async (t) => {
  t.same(checkComposeEnvironments(composeText, shell), [])
})

t.test('the check fails on what would break the compose path', async (t) => {
  const edited = (from: string, to: string): string[] => {
    t.ok(composeText.includes(from), `the file still has: ${from}`)
    return checkComposeEnvironments(composeText.replace(from, to), shell)
  }
  t.match(edited('      AGGREGATOR_OPS_HOST: 0.0.0.0\n', '      AGGREGATOR_OPS_HOST: 0.0.0.0\n      AGGREGATOR_QUEUE: other\n'), [
    /^aggregator: AGGREGATOR_QUEUE: not a variable of aggregator's configuration$/,
  ])
  t.match(edited('      CHANNEL_METRICS_TV_URL: http://provider-sim:4010/tv\n', ''), [
    /^aggregator: CHANNEL_METRICS_TV_URL: 127\.0\.0\.1 is the container itself \(the default\)$/,
  ])
  t.match(edited('CACHE_REDIS_URL: redis://cache:6379\n      CHANNEL', 'CACHE_REDIS_URL: redis://127.0.0.1:6379\n      CHANNEL'), [
    /^aggregator: CACHE_REDIS_URL: 127\.0\.0\.1 is the container itself$/,
  ])
  t.match(edited('      KAFKA_BROKERS: kafka:9092\n', '      KAFKA_BROKERS: kafak:9092\n'), [
    /^ingest-worker: KAFKA_BROKERS: kafak is not a compose service$/,
  ])
  t.match(edited('      INGEST_OPS_HOST: 0.0.0.0\n', ''), [/^ingest-worker: INGEST_OPS_HOST: listens on 127\.0\.0\.1/])
  t.match(edited('      API_PORT: 3000\n', '      API_PORT: http\n'), [/^query-api: API_PORT: /])
  t.match(checkComposeEnvironments(composeText, {}), [
    /^query-api: JWT_SECRET: \$\{JWT_SECRET\} has no value/,
    /JWT_SECRET or JWT_JWKS_URL: required/,
  ])
  t.match(edited('  provider-sim:\n', '  provider-simulator:\n'), [
    /provider-simulator: neither checked against a schema nor listed/,
    /provider-sim is not a compose service/,
  ])
})
