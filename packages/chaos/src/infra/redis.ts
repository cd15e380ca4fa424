/**
 * A disposable Redis on its own port, configured as `npm start` runs it on this machine: no
 * persistence (`--save '' --appendonly no`). A restart comes back empty, which is the point:
 * the pipeline must lose nothing with it. The shared Redis on 6379 is never touched.
 */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { exited, isRunning, spawnLogged, stopChild, waitFor, type Exit } from './proc.js'

export interface RedisInstance {
  readonly url: string
  start(): Promise<void>
  /** SIGKILL: everything in memory is gone. */
  kill(): Promise<Exit | undefined>
  stop(): Promise<void>
  readonly running: boolean
}

/** `args`: extra redis-server settings, e.g. a small maxmemory with an evicting policy. */
export function redisInstance(port: number, dir: string, args: readonly string[] = []): RedisInstance {
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  return {
    url,
    get running() {
      return isRunning(child)
    },
    async start() {
      child = spawnLogged(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'no', '--save', '', '--dir', dir, '--daemonize', 'no', ...args],
        join(dir, `redis-${port}.log`),
      )
      await waitFor(
        `redis on ${port}`,
        async () => {
          const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
          probe.on('error', () => undefined) // refused while starting: the poll retries
          try {
            await probe.connect()
            return (await probe.ping()) === 'PONG' ? true : undefined
          } finally {
            probe.disconnect()
          }
        },
        20_000,
      )
    },
    async kill() {
      const current = child
      if (current === undefined || !isRunning(current)) return undefined
      const done = exited(current)
      current.kill('SIGKILL')
      return done
    },
    async stop() {
      await stopChild(child)
    },
  }
}
