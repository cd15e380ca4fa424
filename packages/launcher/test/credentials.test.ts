/**
 * What the banner prints works against an API with the same environment: the token is an API
 * token (its audience and issuer, whatever JWT_AUDIENCE/JWT_ISSUER say), the link's code a login
 * code, and neither is accepted as the other (docs/SPEC.md section 9).
 */
import t from 'tap'
import { createSessionTokens, createVerifier, loadApiConfig } from '@event-analytics/query-api'
import { operatorToken, signInLink } from '../src/credentials.js'

const SECRET = 'launcher-secret-0123456789-0123456789-ab'
const BASE = 'http://127.0.0.1:3000'

const environments: Record<string, NodeJS.ProcessEnv> = {
  'the defaults': { JWT_SECRET: SECRET },
  'JWT_AUDIENCE and JWT_ISSUER set': { JWT_SECRET: SECRET, JWT_AUDIENCE: 'analytics-local', JWT_ISSUER: 'https://id.local' },
  'a SESSION_SECRET of its own': { JWT_SECRET: SECRET, SESSION_SECRET: 'session-secret-0123456789-0123456789-cd' },
}

for (const [name, env] of Object.entries(environments)) {
  t.test(`with ${name}: the token and the sign-in code work, each only as itself`, async (t) => {
    const config = loadApiConfig(env)
    const verify = createVerifier(config.auth)
    const sessions = createSessionTokens(config.live.sessionSecret!, config.live.sessionTtlSeconds)
    const token = await operatorToken(config)
    t.same(await verify(token), { sub: 'operator', operator: true, viewer: true }, 'the token is an operator API token')
    t.equal(await sessions.verifyLoginCode(token), undefined, 'the token is not a login code')

    const link = await signInLink(config, BASE, 'owner-1')
    const code = new URL(link!).searchParams.get('code')!
    t.ok(link!.startsWith(`${BASE}/auth/login?code=`))
    t.equal((await sessions.verifyLoginCode(code))?.principal.sub, 'owner-1', 'the code signs owner-1 in')
    await t.rejects(verify(code), { name: 'AuthError' }, 'the code is not an API token')
  })
}

t.test('no sign-in link without a session secret (JWKS only); no token without an HS256 secret', async (t) => {
  const config = loadApiConfig({ JWT_JWKS_URL: 'https://id.example/jwks.json' })
  t.equal(await signInLink(config, BASE, 'owner-1'), undefined)
  await t.rejects(operatorToken(config), /no HS256 secret/)
})
