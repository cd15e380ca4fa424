/** No published secret on an open port: loopback by default, and no start without a real key. */
import t from 'tap'
import { ConfigError } from '@event-analytics/ops'
import { loadApiConfig } from '../src/index.js'
import { SECRET } from './helpers.js'

t.test('the API binds to loopback unless API_HOST says otherwise', async (t) => {
  t.equal(loadApiConfig({ JWT_SECRET: SECRET }).host, '127.0.0.1')
  t.equal(loadApiConfig({ JWT_SECRET: SECRET, API_HOST: '0.0.0.0' }).host, '0.0.0.0', 'docker-compose.yml sets it')
})

t.test('without JWT_SECRET or JWT_JWKS_URL the API refuses to start, in every NODE_ENV', async (t) => {
  for (const NODE_ENV of [undefined, 'development', 'test', 'production']) {
    t.throws(
      () => loadApiConfig(NODE_ENV === undefined ? {} : { NODE_ENV }),
      /JWT_SECRET or JWT_JWKS_URL: required/,
      `NODE_ENV=${NODE_ENV}`,
    )
  }
  t.equal(loadApiConfig({ JWT_JWKS_URL: 'https://id.example/.well-known/jwks.json' }).auth.secret, undefined, 'a JWKS URL alone is enough')
  t.throws(() => loadApiConfig({ JWT_SECRET: 'too-short' }), /at least 32 characters/)
})

t.test('two bad fields and a failing cross-field check: all three in one ConfigError, before anything starts', async (t) => {
  const error = t.throws(() => loadApiConfig({ API_PORT: 'http', LOG_LEVEL: 'verbose', DEFAULT_TIME_ZONE: 'Mars/Olympus' })) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems.map((problem) => problem.variable).sort(), [
    'API_PORT',
    'DEFAULT_TIME_ZONE',
    'JWT_SECRET or JWT_JWKS_URL',
    'LOG_LEVEL',
  ])
  t.match(error.message, /DEFAULT_TIME_ZONE: unknown time zone "Mars\/Olympus"/)
})

t.test('a secret refused for its length is not also reported as missing', async (t) => {
  const error = t.throws(() => loadApiConfig({ JWT_SECRET: 'short' })) as ConfigError
  t.same(
    error.problems.map((problem) => problem.variable),
    ['JWT_SECRET'],
  )
})

t.test('LOG_LEVEL is validated and handed to the logger', async (t) => {
  t.equal(loadApiConfig({ JWT_SECRET: SECRET, LOG_LEVEL: 'error' }).logLevel, 'error')
  t.equal(loadApiConfig({ JWT_SECRET: SECRET }).logLevel, undefined)
})
