/**
 * A disposable redis-server of a test's own, on a free loopback port: for tests that kill,
 * flush or misconfigure Redis, which they must never do to the shared one on 6379.
 * Throws (never skips) when redis-server cannot be started.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { openSync } from 'node:fs'
import { Redis } from 'ioredis'
import { retry } from '../retry.js'
import { freePort } from './ports.js'

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru']. */
  readonly args?: readonly string[]
  /** Keep this port across restarts (default: a free one). */
  readonly port?: number
  /** Append the server's output here (default: discarded). */
  readonly logFile?: string
}

export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly running: boolean
  /** SIGKILL: whatever was in memory is gone (no persistence is configured). */
  kill(): Promise<void>
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort())
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])],
      { stdio: options.logFile === undefined ? 'ignore' : ['ignore', openSync(options.logFile, 'a'), openSync(options.logFile, 'a')] },
    )
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`redis-server on ${port} exited (code ${code})`))),
    )
    exited.catch(() => undefined)
    await Promise.race([waitForPing(url), exited])
  }
  const kill = async (): Promise<void> => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const gone = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await gone
  }
  await launch()
  return {
    url,
    port,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
    kill,
    restart: launch,
    stop: kill,
  }
}

/** Polls every 50 ms, 200 times at most (about 10 s). */
async function waitForPing(url: string): Promise<void> {
  const ping = async (): Promise<void> => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => undefined) // refused while starting: the poll tries again
    try {
      await probe.connect()
      const answer = await probe.ping()
      if (answer !== 'PONG') throw new Error(`PING answered ${answer}`)
    } finally {
      probe.disconnect()
    }
  }
  await retry(ping, { attempts: 200, backoff: { initialMs: 50, factor: 1, jitter: false } }).catch(() => {
    throw new Error(`redis-server at ${url} did not answer`)
  })
}
