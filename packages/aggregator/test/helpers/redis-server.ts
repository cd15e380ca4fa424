/**
 * A redis-server of the test's own, on a free loopback port, for settings the shared Redis must
 * never get (its own maxmemory and eviction policy). No persistence; stopped by its pid.
 */
import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { exited, freePort } from './process.js'

export interface OwnRedis {
  readonly url: string
  /** A client of it (closed at teardown). */
  readonly redis: Redis
}

export async function startOwnRedis(t: { teardown(fn: () => unknown): void }, settings: readonly string[] = []): Promise<OwnRedis> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...settings], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  t.teardown(async () => {
    const done = exited(child)
    child.kill('SIGTERM')
    await done
  })
  const url = `redis://127.0.0.1:${port}`
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null })
  redis.on('error', () => undefined) // refused while starting: the loop below retries
  for (let attempt = 0; ; attempt += 1) {
    try {
      await redis.connect()
      break
    } catch (error) {
      if (attempt >= 100 || child.exitCode !== null) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  t.teardown(() => redis.quit())
  return { url, redis }
}
