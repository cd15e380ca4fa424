/**
 * The BullMQ boards by role: a plain owner token sees neither; a viewer sees the read-only
 * board (bull-board's readOnlyMode: no retry/clean/promote/pause) and is refused the full one;
 * an operator may change jobs. The board's own error answers are problem+json too.
 */
import t from 'tap'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
const owner = await h.token('owner-b')
const viewer = await h.token('viewer-b', { viewer: true })
const operator = await h.token('ops-b', { operator: true })
const FULL = '/admin/queues'
const READ_ONLY = '/admin/queues-read-only'

const call = (method: 'GET' | 'PUT', url: string, token: string) => h.app.inject({ method, url, headers: bearer(token) })

interface QueuesBody {
  queues: { name: string; readOnlyMode: boolean; isPaused: boolean }[]
}

t.test('an owner token opens neither board', async (t) => {
  for (const url of [`${FULL}/api/queues`, `${READ_ONLY}/api/queues`, FULL, READ_ONLY]) {
    const response = await call('GET', url, owner)
    t.equal(response.statusCode, 403, url)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
  }
})

t.test('a viewer sees the read-only board and cannot change jobs', async (t) => {
  const listed = await call('GET', `${READ_ONLY}/api/queues`, viewer)
  t.equal(listed.statusCode, 200)
  const { queues } = listed.json<QueuesBody>()
  t.ok(queues.length > 0 && queues.every((queue) => queue.readOnlyMode), 'every queue is read-only')
  const name = queues[0]!.name
  const paused = await call('PUT', `${READ_ONLY}/api/queues/${name}/pause`, viewer)
  t.equal(paused.statusCode, 405, 'pause refused by read-only mode')
  t.match(paused.headers['content-type'], /^application\/problem\+json/)
  t.match(paused.json(), { status: 405, detail: /read-only/ })
  t.equal((await call('PUT', `${READ_ONLY}/api/queues/${name}/retry/failed`, viewer)).statusCode, 405, 'retry refused')
  const full = await call('GET', `${FULL}/api/queues`, viewer)
  t.equal(full.statusCode, 403, 'the full board is for operators')
  t.match(full.json().detail, /queues-read-only/, 'the refusal names the read-only board')
  t.equal((await call('PUT', `${FULL}/api/queues/${name}/pause`, viewer)).statusCode, 403)
  t.equal((await call('GET', READ_ONLY, viewer)).statusCode, 200, 'the UI page')
})

t.test('an operator may change jobs on the full board', async (t) => {
  const { queues } = (await call('GET', `${FULL}/api/queues`, operator)).json<QueuesBody>()
  t.same(
    queues.map((queue) => queue.name).sort(),
    ['analytics-ingest', 'webhook-deliveries'],
    'the ingest queue and the webhook delivery queue',
  )
  t.ok(
    queues.every((queue) => !queue.readOnlyMode),
    'actions enabled',
  )
  const name = queues[0]!.name
  t.equal((await call('PUT', `${FULL}/api/queues/${name}/pause`, operator)).statusCode, 200)
  const after = (await call('GET', `${READ_ONLY}/api/queues`, operator)).json<QueuesBody>()
  t.equal(after.queues[0]!.isPaused, true, 'the pause took effect (an operator may view read-only too)')
  t.equal((await call('PUT', `${FULL}/api/queues/${name}/resume`, operator)).statusCode, 200)
  const missing = await call('GET', `${FULL}/api/queues/no-such-queue-anywhere/job-1`, operator)
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^application\/problem\+json/, "bull-board's own 404 is a problem")
  t.notMatch(missing.body, /no-such-queue-anywhere/)
})

t.test('the token given once in the query becomes a cookie scoped to that board', async (t) => {
  const response = await h.app.inject({ url: `${READ_ONLY}?token=${viewer}` })
  t.equal(response.statusCode, 200)
  t.match(String(response.headers['set-cookie']), new RegExp(`Path=${READ_ONLY};`))
})

t.test('no request of this suite got a 5xx', async (t) => {
  t.same(h.serverErrors, [])
})
