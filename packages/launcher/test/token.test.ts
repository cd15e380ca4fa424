/**
 * The token command (`pnpm --filter @event-analytics/query-api token`): both argument forms (pnpm 10 passes a `--` on to the script), the roles, and
 * the secret (JWT_SECRET when set, else the local stack's generated one) and the API audience.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { stackJwtSecret } from '@event-analytics/dev-stack'
import { API_TOKEN_AUDIENCE, createVerifier } from '@event-analytics/query-api'
import { mintToken } from '../src/token-command.js'

const SECRET = 'token-test-secret-0123456789-0123456789'
/** Where `pnpm --filter @event-analytics/query-api token` runs it: the API's folder. */
const apiDir = fileURLToPath(new URL('../../query-api', import.meta.url))
const stackDir = mkdtempSync(join(tmpdir(), 'ea-token-cli-'))
t.teardown(() => rmSync(stackDir, { recursive: true, force: true }))

/** The environment without any JWT setting of the caller's shell. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { JWT_SECRET: _secret, JWT_JWKS_URL: _jwks, ...rest } = process.env
  return { ...rest, STACK_DIR: stackDir, ...extra }
}

/** The token's claims, unverified: what it says, for the audience checks. */
function claimsOf(token: string): { aud?: unknown } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }
}

/** The command's work, in this process: most cases need no process of their own. */
async function token(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const result = await mintToken(args, baseEnv(extra))
  if (!result.ok) throw new Error(result.message)
  return result.token
}

/** The command as `pnpm --filter @event-analytics/query-api token` runs it: a process, its output and exit code. */
async function tokenProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--conditions=event-analytics-source', '../launcher/src/token.ts', ...args],
    { cwd: apiDir, env: baseEnv({}) },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  )
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

t.test('mints API tokens: the API audience, JWT_AUDIENCE when set', async (t) => {
  t.equal(claimsOf(await token(['--sub', 'owner-4'])).aud, API_TOKEN_AUDIENCE)
  const configured = await token(['--sub', 'owner-4'], { JWT_SECRET: SECRET, JWT_AUDIENCE: 'analytics-cli' })
  t.equal(claimsOf(configured).aud, 'analytics-cli')
  const verify = createVerifier({ secret: SECRET, jwksUrl: undefined, issuer: undefined, audience: 'analytics-cli' })
  t.same(await verify(configured), { sub: 'owner-4', operator: false, viewer: false }, 'accepted where JWT_AUDIENCE is the same')
})

t.test('unknown arguments and a bad ttl are usage errors', async (t) => {
  t.match(await mintToken(['--sub', 'x', '--admin'], baseEnv({})), { ok: false, message: /usage: token/ })
  const badTtl = await mintToken(['--ttl', 'soon'], baseEnv({}))
  t.match(badTtl, { ok: false, message: /--ttl must be a positive number of seconds, got "soon"/ })
})

t.test('the command line: prints the token, exits 2 on a usage error', async (t) => {
  const verify = createVerifier({
    secret: stackJwtSecret({ STACK_DIR: stackDir }).secret,
    jwksUrl: undefined,
    issuer: undefined,
    audience: undefined,
  })
  const printed = await tokenProcess(['--', '--sub', 'owner-5', '--viewer'])
  t.equal(printed.code, 0, printed.stderr)
  t.same(await verify(printed.stdout.trim()), { sub: 'owner-5', operator: false, viewer: true })
  const refused = await tokenProcess(['--sub', 'x', '--admin'])
  t.equal(refused.code, 2)
  t.match(refused.stderr, /usage: token/)
})
