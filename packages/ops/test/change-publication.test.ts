/** Change announcements on real Redis: the publish follows the invalidation of the keys. */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { decodeChange } from '@event-analytics/contracts'
import { invalidateProjections } from '../src/cache-protocol.js'

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

t.test('the change is published after the keys are gone', async (t) => {
  const prefix = `test:changes:${process.pid}:${randomBytes(3).toString('hex')}:`
  const channel = `${prefix}channel`
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1, lazyConnect: true })
  const subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true })
  await redis.connect()
  await subscriber.connect()
  t.teardown(async () => {
    const cleaner = new Redis(REDIS_URL)
    const keys = await cleaner.keys(`${prefix}*`)
    if (keys.length > 0) await cleaner.del(...keys)
    await Promise.all([cleaner.quit(), redis.quit(), subscriber.quit()])
  })
  await redis.set('analytics:dashboard:e1', 'cached')
  await subscriber.subscribe(channel)
  const heard = new Promise<{ exists: number; eventIds: readonly string[] }>((resolve) => {
    subscriber.once('message', (_channel: string, text: string) => {
      // A plain client reads while the subscriber is in subscribe mode.
      void redis.exists('analytics:dashboard:e1').then((exists) => resolve({ exists, eventIds: decodeChange(text)?.eventIds ?? [] }))
    })
  })
  await invalidateProjections(redis, ['analytics:dashboard:e1'], { channel, eventIds: ['e1'] })
  t.same(await heard, { exists: 0, eventIds: ['e1'] })

  // No keys, still a publish (a breaker transition with nothing cached).
  const again = new Promise<string>((resolve) => subscriber.once('message', (_c: string, text: string) => resolve(text)))
  await invalidateProjections(redis, [], { channel, eventIds: ['e2'] })
  t.same(decodeChange(await again)?.eventIds, ['e2'])
})
