/**
 * Production auth: RS256 tokens verified against the keys a JWKS URL publishes (a real HTTP
 * server here), with issuer and audience checks; HS256 tokens are refused in that mode.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createVerifier, loadApiConfig, signDevToken } from '../src/index.js'

const { publicKey, privateKey } = await generateKeyPair('RS256')
const other = await generateKeyPair('RS256')
const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }

let jwksRequests = 0
const server = createServer((request, response) => {
  jwksRequests += 1
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ keys: [jwk] }))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise((resolve) => server.close(resolve)))
const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`

const config = loadApiConfig({ NODE_ENV: 'production', JWT_JWKS_URL: jwksUrl, JWT_ISSUER: 'https://id.example', JWT_AUDIENCE: 'analytics' })
const verify = createVerifier(config.auth)

function token(
  claims: Record<string, unknown>,
  options: { key?: typeof privateKey; kid?: string; issuer?: string; audience?: string; expires?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
    .setSubject('owner-1')
    .setIssuer(options.issuer ?? 'https://id.example')
    .setAudience(options.audience ?? 'analytics')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? privateKey)
}

t.test('an RS256 token signed by a published key is accepted, with its role', async (t) => {
  t.same(await verify(await token({})), { sub: 'owner-1', operator: false, viewer: false })
  t.same(await verify(await token({ roles: ['viewer', 'operator'] })), { sub: 'owner-1', operator: true, viewer: true })
  t.ok(jwksRequests >= 1, 'the keys came from the JWKS URL')
})

t.test('everything else is refused with a reason', async (t) => {
  await t.rejects(
    verify(await token({}, { key: other.privateKey })),
    { name: 'AuthError', message: /signature|cannot be verified/ },
    'key not in the set',
  )
  await t.rejects(verify(await token({}, { issuer: 'https://evil.example' })), { name: 'AuthError', message: 'token claim iss is invalid' })
  await t.rejects(verify(await token({}, { audience: 'another-api' })), { name: 'AuthError', message: 'token claim aud is invalid' })
  await t.rejects(verify(await token({}, { expires: '-1m' })), { name: 'AuthError', message: 'token expired' })
  const hs256 = await signDevToken('a-shared-secret-0123456789-0123456789-xx', { sub: 'owner-1', operator: true })
  await t.rejects(verify(hs256), { name: 'AuthError' }, 'HS256 is not accepted when a JWKS is configured')
})
