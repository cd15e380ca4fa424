/**
 * `pnpm token`: both argument forms (pnpm 10 passes a `--` on to the script), the roles, and
 * the secret: JWT_SECRET when set, else the local stack's generated one.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { stackJwtSecret } from '@event-analytics/dev-stack'
import { createVerifier } from '../src/index.js'
import { SECRET } from './helpers.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const stackDir = mkdtempSync(join(tmpdir(), 'ea-token-cli-'))
t.teardown(() => rmSync(stackDir, { recursive: true, force: true }))

/** The environment without any JWT setting of the caller's shell. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { JWT_SECRET: _secret, JWT_JWKS_URL: _jwks, ...rest } = process.env
  return { ...rest, STACK_DIR: stackDir, ...extra }
}

async function token(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--conditions=event-analytics-source', 'src/cli/token.ts', ...args],
    { cwd: packageDir, env: baseEnv(extra) },
  )
  return stdout.trim()
}

t.test('with and without the `--` pnpm passes on', async (t) => {
  const verify = createVerifier({
    secret: stackJwtSecret({ STACK_DIR: stackDir }).secret,
    jwksUrl: undefined,
    issuer: undefined,
    audience: undefined,
  })
  for (const args of [
    ['--sub', 'owner-1', '--operator'],
    ['--', '--sub', 'owner-1', '--operator'],
  ]) {
    t.same(await verify(await token(args)), { sub: 'owner-1', operator: true, viewer: true }, args.join(' '))
  }
  t.same(
    await verify(await token(['--', '--sub', 'owner-2'])),
    { sub: 'owner-2', operator: false, viewer: false },
    'a plain owner token has no role',
  )
  t.same(await verify(await token(['--sub', 'watcher', '--viewer'])), { sub: 'watcher', operator: false, viewer: true })
})

t.test('signed with the stack secret when JWT_SECRET is unset, with JWT_SECRET when set', async (t) => {
  const withEnv = createVerifier({ secret: SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined })
  t.same(await withEnv(await token(['--sub', 'owner-3'], { JWT_SECRET: SECRET })), { sub: 'owner-3', operator: false, viewer: false })
  await t.rejects(withEnv(await token(['--sub', 'owner-3'])), 'the stack secret is another key')
})

t.test('unknown arguments are a usage error', async (t) => {
  const failed = await token(['--sub', 'x', '--admin']).then(
    () => undefined,
    (error: unknown) => error as { code: number; stderr: string },
  )
  t.equal(failed?.code, 2)
  t.match(failed?.stderr, /usage: token/)
})
