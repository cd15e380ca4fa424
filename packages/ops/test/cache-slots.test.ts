/** The cache key layout (contracts) and the fill guards (cache-protocol) as a Redis Cluster hashes them. */
import t from 'tap'
import { keysToInvalidate } from '@event-analytics/contracts'
import { fillGuardKey } from '../src/cache-protocol.js'
import { hashTagOf } from '../src/redis-connection.js'

t.test('on a cluster, the keys of an event, of its owner and every fill guard hash by their id alone', async (t) => {
  const keys = keysToInvalidate({ eventId: 'e1', userId: 'u1', channelNames: ['TV1', 'INSTAGRAM'] })
  const tags = new Set(keys.map(hashTagOf))
  t.same([...tags].sort(), ['e1', 'u1'], 'one slot per event, one per owner')
  for (const key of keys) t.equal(hashTagOf(fillGuardKey(key)), hashTagOf(key), `the guard of ${key} is in its slot`)
})
