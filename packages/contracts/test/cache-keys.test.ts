import t from 'tap'
import { cacheKeys, keysToInvalidate } from '../src/cache-keys.js'

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
