/** The local stack's JWT secret: generated once per stack directory, private, then reused. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { stackJwtSecret, stackSecretPath } from '../src/index.js'

const stackDir = mkdtempSync(join(tmpdir(), 'ea-stack-secret-'))
t.teardown(() => rmSync(stackDir, { recursive: true, force: true }))
const env = { STACK_DIR: stackDir }

t.test('the first use generates a random secret readable by its owner only', async (t) => {
  const first = stackJwtSecret(env)
  t.equal(first.created, true)
  t.equal(first.path, join(stackDir, 'secrets', 'jwt-secret'))
  t.ok(first.secret.length >= 32, 'long enough for HS256 in the API')
  t.equal(statSync(first.path).mode & 0o777, 0o600, 'file mode 0600')
  t.equal(statSync(join(stackDir, 'secrets')).mode & 0o777, 0o700, 'folder mode 0700')
})

t.test('later uses reuse it; another stack gets another one', async (t) => {
  const first = stackJwtSecret(env)
  const again = stackJwtSecret(env)
  t.equal(again.created, false)
  t.equal(again.secret, first.secret)
  const otherDir = mkdtempSync(join(tmpdir(), 'ea-stack-secret-'))
  t.teardown(() => rmSync(otherDir, { recursive: true, force: true }))
  t.not(stackJwtSecret({ STACK_DIR: otherDir }).secret, first.secret, 'random per stack')
})

t.test('a damaged secret is refused, not used', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ea-stack-secret-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  stackJwtSecret({ STACK_DIR: dir })
  writeFileSync(stackSecretPath({ STACK_DIR: dir }), 'short\n')
  t.throws(() => stackJwtSecret({ STACK_DIR: dir }), /shorter than 32/)
})
