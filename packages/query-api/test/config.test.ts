/** No published secret on an open port: loopback by default, and no start without a real key. */
import t from 'tap'
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
