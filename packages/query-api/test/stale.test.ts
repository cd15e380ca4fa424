/** Channel staleness: provider breaker state (provider_health) OR age of the last snapshot. */
import t from 'tap'
import { isStale } from '../src/projections/channel.js'

const now = new Date('2026-03-01T12:00:00Z')
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000)
const after = 15 * 60_000

t.test('stale = breaker not closed OR metrics older than the limit', async (t) => {
  t.equal(isStale(minutesAgo(1), now, after, 'closed'), false, 'fresh, healthy')
  t.equal(isStale(minutesAgo(1), now, after, null), false, 'fresh, provider never reported')
  t.equal(isStale(minutesAgo(1), now, after, 'open'), true, 'breaker open')
  t.equal(isStale(minutesAgo(1), now, after, 'half-open'), true, 'breaker half-open (not trusted yet)')
  t.equal(isStale(minutesAgo(16), now, after, 'closed'), true, 'too old')
  t.equal(isStale(minutesAgo(15), now, after, 'closed'), false, 'exactly at the limit is not stale')
  t.equal(isStale(null, now, after, 'closed'), false, 'never refreshed, healthy provider')
  t.equal(isStale(null, now, after, 'open'), true, 'never refreshed while the provider is down')
  t.equal(isStale(minutesAgo(16), now, after), true, 'age alone (no state) still counts')
})
