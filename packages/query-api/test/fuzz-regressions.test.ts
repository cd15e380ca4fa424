/**
 * Inputs found by the chaos suite's API fuzz pass (packages/chaos) that once answered 5xx.
 * Each must now be a 4xx problem+json (or a 200), never a 500.
 */
import t from 'tap'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
await h.testDb.db
  .insertInto('event_stats')
  .values({
    event_id: 'evt-f',
    user_id: 'owner-f',
    title: 'Fuzzed',
    event_created_at: new Date('2026-03-01T00:00:00Z'),
    expected_revenue: '1.00',
    target_roi: '1.00',
  })
  .execute()
const operator = await h.token('ops-f', { operator: true })

t.test('non-finite page/limit are rejected, not serialised into a 500', async (t) => {
  for (const query of ['limit=Infinity', 'page=Infinity', 'limit=-Infinity', 'limit=1e400', 'limit=NaN']) {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/users/owner-f/analytics?${query}`, headers: bearer(operator) })
    t.equal(response.statusCode, 400, `${query} -> 400`)
    t.match(response.headers['content-type'], /application\/problem\+json/)
  }
  t.same(h.serverErrors, [], 'no 5xx')
})
