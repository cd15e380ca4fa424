/**
 * A disposable Redis on its own port with AOF persistence (as production would run it), so
 * a restart keeps the queued jobs. The shared Redis on 6379 is never touched.
 */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { isRunning, spawnLogged, stopChild, waitFor } from './proc.js'

export interface RedisInstance {
  readonly url: string
  start(): Promise<void>
  /** SIGTERM (Redis fsyncs the AOF on shutdown), wait for the exit. */
  stop(): Promise<void>
  readonly running: boolean
}

export function redisInstance(port: number, dir: string): RedisInstance {
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  return {
    url,
    get running() { return isRunning(child) },
    async start() {
      child = spawnLogged('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir, '--save', '', '--daemonize', 'no',
      ], join(dir, 'redis.log'))
      await waitFor(`redis on ${port}`, async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
        probe.on('error', () => undefined) // refused while starting: the poll retries
        try {
          await probe.connect()
          return (await probe.ping()) === 'PONG' ? true : undefined
        } finally {
          probe.disconnect()
        }
      }, 20_000)
    },
    async stop() {
      await stopChild(child)
    },
  }
}
