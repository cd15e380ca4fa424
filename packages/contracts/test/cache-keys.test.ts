import t from 'tap'
import { cacheKeys, keysToInvalidate } from '../src/cache-keys.js'
import { fillGuardKey } from '../src/cache-protocol.js'
import { hashTagOf } from '../src/redis-connection.js'

t.test('seed key layout', async (t) => {
  t.equal(cacheKeys.dashboard('e1'), 'analytics:dashboard:{e1}')
  t.equal(cacheKeys.channel('e1', 'INSTAGRAM'), 'analytics:channel:{e1}:INSTAGRAM')
  t.equal(cacheKeys.roi('e1'), 'analytics:roi:{e1}')
  t.equal(cacheKeys.timeline('e1', 'day'), 'analytics:timeline:{e1}:day')
  t.equal(cacheKeys.user('u1'), 'analytics:user:{u1}')
})

t.test('a change invalidates every projection of the event, its channels and its owner', async (t) => {
  const keys = keysToInvalidate({ eventId: 'e1', userId: 'u1', channelNames: ['TV1'] })
  t.same(
    new Set(keys),
    new Set([
      'analytics:dashboard:{e1}',
      'analytics:roi:{e1}',
      'analytics:channels:{e1}',
      'analytics:channel:{e1}:TV1',
      'analytics:timeline:{e1}:hour',
      'analytics:timeline:{e1}:day',
      'analytics:timeline:{e1}:week',
      'analytics:timeline:{e1}:month',
      'analytics:user:{u1}',
    ]),
  )
  t.notOk(keysToInvalidate({ eventId: 'e1', userId: null, channelNames: [] }).some((key) => key.startsWith('analytics:user:')))
})

t.test('on a cluster, the keys of an event, of its owner and every fill guard hash by their id alone', async (t) => {
  const keys = keysToInvalidate({ eventId: 'e1', userId: 'u1', channelNames: ['TV1', 'INSTAGRAM'] })
  const tags = new Set(keys.map(hashTagOf))
  t.same([...tags].sort(), ['e1', 'u1'], 'one slot per event, one per owner')
  for (const key of keys) t.equal(hashTagOf(fillGuardKey(key)), hashTagOf(key), `the guard of ${key} is in its slot`)
})
