/**
 * One purpose per token (docs/SPEC.md section 9) on the real API (PostgreSQL + Redis): an API
 * bearer token, a browser session and a one-time login code are each accepted only as
 * themselves, with or without JWT_AUDIENCE; a login code works once; expired ones are refused;
 * the session and login-code keys are not the API token key.
 */
import t from 'tap'
import type { Test } from 'tap'
import { SignJWT } from 'jose'
import type { FastifyInstance } from 'fastify'
import { signLoginCode, signSession } from '../src/auth/session.js'
import { API_TOKEN_AUDIENCE, derivePurposeKey, LOGIN_CODE_AUDIENCE, SESSION_AUDIENCE } from '../src/auth/purposes.js'
import { loadApiConfig, signDevToken } from '../src/index.js'
import { bearer, createHarness, SECRET, storeFigures } from './helpers.js'
import type { Harness } from './helpers.js'

const OWNER = 'purpose-owner'
const DASHBOARD = '/api/v1/events/purpose-1/analytics'
const SUMMARY = `/api/v1/users/${OWNER}/analytics`
const OWNER_PRINCIPAL = { sub: OWNER, operator: false, viewer: false }

async function seed(h: Harness): Promise<void> {
  await h.testDb.db
    .insertInto('event_stats')
    .values({ event_id: 'purpose-1', user_id: OWNER, title: 'One purpose', event_created_at: new Date('2026-03-01T00:00:00Z') })
    .execute()
  await storeFigures(h.testDb.db, ['purpose-1'])
}

const get = (app: FastifyInstance, url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers })
const cookie = (jwt: string): Record<string, string> => ({ cookie: `ea_session=${jwt}` })

/** Status of the owner's dashboard and summary with `headers`. */
async function statuses(app: FastifyInstance, headers: Record<string, string>): Promise<number[]> {
  return [(await get(app, DASHBOARD, headers)).statusCode, (await get(app, SUMMARY, headers)).statusCode]
}

/** Refused on both owner views with a 401 problem+json. */
async function assertRefused(t: Test, app: FastifyInstance, headers: Record<string, string>, what: string): Promise<void> {
  for (const url of [DASHBOARD, SUMMARY]) {
    const response = await get(app, url, headers)
    t.equal(response.statusCode, 401, `${what}: ${url}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`)
  }
}

/** Signs in with a login code; the session JWT from the cookie it set. */
async function signIn(app: FastifyInstance, code: string): Promise<string> {
  const login = await app.inject({ method: 'GET', url: `/auth/login?code=${code}` })
  if (login.statusCode !== 303) throw new Error(`sign-in: ${login.statusCode} ${login.body}`)
  const match = /^ea_session=([^;]+);/.exec(String(login.headers['set-cookie']))
  if (match === null) throw new Error('no session cookie')
  return match[1]!
}

const h = await createHarness(t)
await seed(h)

t.test('good paths: an API token as bearer, a session as cookie, a login code on its link', async (t) => {
  const token = await h.token(OWNER)
  t.same(await statuses(h.app, bearer(token)), [200, 200], 'API token as bearer')
  const exchanged = await h.app.inject({ method: 'POST', url: '/auth/session', headers: bearer(token) })
  t.equal(exchanged.statusCode, 204, 'API token exchanged for a session')
  const session = await signIn(h.app, await signLoginCode(SECRET, OWNER))
  t.same(await statuses(h.app, cookie(session)), [200, 200], 'session as cookie')
  t.same(await statuses(h.app, cookie(await signSession(SECRET, OWNER_PRINCIPAL, 60))), [200, 200], 'a fresh minted session')
})

t.test('a login code is not a bearer token, before or after its link was used', async (t) => {
  const code = await signLoginCode(SECRET, OWNER)
  await assertRefused(t, h.app, bearer(code), 'unused code as bearer')
  const exchange = await h.app.inject({ method: 'POST', url: '/auth/session', headers: bearer(code) })
  t.equal(exchange.statusCode, 401, 'nor exchanged for a session as a bearer token')
  await signIn(h.app, code)
  await assertRefused(t, h.app, bearer(code), 'used code as bearer')
  await assertRefused(t, h.app, cookie(code), 'code as session cookie')
})

t.test('a session is not a bearer token', async (t) => {
  const session = await signIn(h.app, await signLoginCode(SECRET, OWNER))
  t.same(await statuses(h.app, cookie(session)), [200, 200], 'the session works as a cookie')
  await assertRefused(t, h.app, bearer(session), 'session as bearer')
  const exchange = await h.app.inject({ method: 'POST', url: '/auth/session', headers: bearer(session) })
  t.equal(exchange.statusCode, 401, 'nor exchanged for another session')
  const board = await h.app.inject({ method: 'GET', url: `/admin/queues-read-only?token=${session}` })
  t.equal(board.statusCode, 401, 'nor a board token')
})

t.test('an API token is not a session, nor a login code', async (t) => {
  const token = await h.token(OWNER)
  await assertRefused(t, h.app, cookie(token), 'API token as session cookie')
  const login = await h.app.inject({ method: 'GET', url: `/auth/login?code=${token}` })
  t.equal(login.statusCode, 401, 'API token as login code')
  t.equal(login.headers['set-cookie'], undefined)
})

t.test('a login code works once', async (t) => {
  const code = await signLoginCode(SECRET, OWNER)
  t.equal((await h.app.inject({ url: `/auth/login?code=${code}` })).statusCode, 303, 'first use')
  const second = await h.app.inject({ url: `/auth/login?code=${code}` })
  t.equal(second.statusCode, 401, 'second use')
  t.match(second.headers['content-type'], /^application\/problem\+json/)
  t.equal(second.headers['set-cookie'], undefined, 'no session from a used link')
})

t.test('expired codes and sessions are refused', async (t) => {
  const expiredCode = await signLoginCode(SECRET, OWNER, -60)
  const login = await h.app.inject({ url: `/auth/login?code=${expiredCode}` })
  t.equal(login.statusCode, 401, 'expired login code')
  t.equal(login.headers['set-cookie'], undefined)
  await assertRefused(t, h.app, cookie(await signSession(SECRET, OWNER_PRINCIPAL, -60)), 'expired session')
})

t.test('sessions and login codes are signed with keys of their own, not JWT_SECRET', async (t) => {
  const withRawSecret = (audience: string, jti?: string) => {
    let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(OWNER).setAudience(audience).setExpirationTime('5m')
    if (jti !== undefined) jwt = jwt.setJti(jti)
    return jwt.sign(new TextEncoder().encode(SECRET))
  }
  await assertRefused(t, h.app, cookie(await withRawSecret(SESSION_AUDIENCE)), 'a session audience signed with JWT_SECRET')
  const login = await h.app.inject({ url: `/auth/login?code=${await withRawSecret(LOGIN_CODE_AUDIENCE, 'raw-secret-code')}` })
  t.equal(login.statusCode, 401, 'a login-code audience signed with JWT_SECRET')
  await assertRefused(t, h.app, bearer(await withRawSecret(SESSION_AUDIENCE)), 'the same as a bearer token')
  const keys = [new TextEncoder().encode(SECRET), derivePurposeKey(SECRET, 'session'), derivePurposeKey(SECRET, 'login-code')]
  t.equal(new Set(keys.map((key) => Buffer.from(key).toString('hex'))).size, 3, 'three distinct keys from one secret')
})

t.test('a bearer token naming a session or login audience besides the API one is refused', async (t) => {
  for (const reserved of [SESSION_AUDIENCE, LOGIN_CODE_AUDIENCE]) {
    const both = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(OWNER)
      .setAudience([API_TOKEN_AUDIENCE, reserved])
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET))
    await assertRefused(t, h.app, bearer(both), `aud [api, ${reserved}]`)
    await t.rejects(signDevToken(SECRET, { sub: OWNER, audience: reserved }), `signDevToken will not mint ${reserved}`)
  }
  const noAudience = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(OWNER)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))
  await assertRefused(t, h.app, bearer(noAudience), 'a token without an audience')
})

t.test('JWT_AUDIENCE may not name a session or login-code audience', async (t) => {
  for (const reserved of [SESSION_AUDIENCE, LOGIN_CODE_AUDIENCE]) {
    t.throws(
      () => loadApiConfig({ JWT_SECRET: SECRET, JWT_AUDIENCE: reserved }),
      { name: 'ConfigError', message: /JWT_AUDIENCE/ },
      reserved,
    )
  }
})

t.test('with JWT_AUDIENCE and SESSION_SECRET = JWT_SECRET: still one purpose per token', async (t) => {
  const audience = 'analytics-test-audience'
  const other = await createHarness(t, { JWT_AUDIENCE: audience, SESSION_SECRET: SECRET })
  await seed(other)
  const token = await signDevToken(SECRET, { sub: OWNER, audience })
  t.same(await statuses(other.app, bearer(token)), [200, 200], 'an API token with the configured audience')
  await assertRefused(
    t,
    other.app,
    bearer(await signDevToken(SECRET, { sub: OWNER })),
    'the default API audience is not the configured one',
  )
  const code = await signLoginCode(SECRET, OWNER)
  await assertRefused(t, other.app, bearer(code), 'login code as bearer')
  const session = await signIn(other.app, code)
  t.same(await statuses(other.app, cookie(session)), [200, 200], 'the session works as a cookie')
  await assertRefused(t, other.app, bearer(session), 'session as bearer')
  await assertRefused(t, other.app, cookie(token), 'API token as session cookie')
  t.equal((await other.app.inject({ url: `/auth/login?code=${code}` })).statusCode, 401, 'the code is used up')
})

t.test('no request got a 5xx', async (t) => {
  t.same(h.serverErrors, [])
})
