/** `npm start` hands the API the local stack's generated secret, never a published one. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadApiConfig } from '@event-analytics/query-api'
import { useStackSecret } from '../src/secret.js'

const stackDir = mkdtempSync(join(tmpdir(), 'ea-launcher-secret-'))
t.teardown(() => rmSync(stackDir, { recursive: true, force: true }))

t.test('without auth settings the services get the stack secret, the same on every start', async (t) => {
  const env: NodeJS.ProcessEnv = { STACK_DIR: stackDir }
  t.match(useStackSecret(env), /generated the local JWT secret/)
  const onDisk = readFileSync(join(stackDir, 'secrets', 'jwt-secret'), 'utf8').trim()
  t.equal(env['JWT_SECRET'], onDisk)
  t.equal(loadApiConfig(env).auth.secret, onDisk, 'the API verifies with it')
  t.equal(loadApiConfig(env).host, '127.0.0.1', 'on loopback')
  const next: NodeJS.ProcessEnv = { STACK_DIR: stackDir }
  t.match(useStackSecret(next), /using the local JWT secret/)
  t.equal(next['JWT_SECRET'], onDisk, 'reused')
})

t.test("the caller's auth settings win", async (t) => {
  const env: NodeJS.ProcessEnv = { STACK_DIR: stackDir, JWT_SECRET: 'mine-0123456789-0123456789-0123456789' }
  t.equal(useStackSecret(env), undefined)
  t.equal(env['JWT_SECRET'], 'mine-0123456789-0123456789-0123456789')
  const jwks: NodeJS.ProcessEnv = { STACK_DIR: stackDir, JWT_JWKS_URL: 'https://id.example/jwks.json' }
  t.equal(useStackSecret(jwks), undefined)
  t.equal(jwks['JWT_SECRET'], undefined)
})
