/** The page at `/`: served from a build directory with its headers; without a build the API still works. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createHarness } from './helpers.js'

t.test('a build directory is served at / with a CSP, its hashed assets cached for good', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'dashboard-web-'))
  mkdirSync(join(root, 'assets'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>')
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)')
  const h = await createHarness(t, { DASHBOARD_WEB_DIR: root })
  const page = await h.app.inject({ method: 'GET', url: '/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'self'/)
  t.equal(page.headers['cache-control'], 'no-cache')
  const asset = await h.app.inject({ method: 'GET', url: '/assets/index-abc123.js' })
  t.equal(asset.statusCode, 200)
  t.match(asset.headers['cache-control'], /immutable/)
  const unknown = await h.app.inject({ method: 'GET', url: '/nope.html' })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.headers['content-type'], /application\/problem\+json/, 'no catch-all: unknown paths are problem+json')
  t.equal((await h.app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

t.test('without a build, / says how to build it and the API is unaffected', async (t) => {
  const h = await createHarness(t, { DASHBOARD_WEB_DIR: join(tmpdir(), 'no-such-dashboard-build') })
  const page = await h.app.inject({ method: 'GET', url: '/' })
  t.equal(page.statusCode, 404)
  t.match(page.json(), { detail: /dashboard page is not built/ })
  t.equal((await h.app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.same(h.serverErrors, [])
})
