/** Waiting for dependencies at start: one line per dependency, a deadline that names it, a prompt stop. */
import t from 'tap'
import { pino, type Logger } from 'pino'
import {
  DEFAULT_STARTUP_DEADLINE_MS,
  DependencyUnavailableError,
  StartAbortedError,
  loadConfig,
  probeRedis,
  startupShape,
  waitForDependencies,
  waitForDependency,
} from '../src/index.js'

function capturingLogger(): { logger: Logger; lines: () => { level: number; msg: string }[] } {
  const written: string[] = []
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) })
  return { logger, lines: () => written.map((line) => JSON.parse(line) as { level: number; msg: string }) }
}

const quick = { initialMs: 1, maxMs: 5, jitter: false } as const

t.test('waits until the probe answers: one line when waiting starts, one when the dependency is up', async (t) => {
  const { logger, lines } = capturingLogger()
  let calls = 0
  const value = await waitForDependency(
    'kafka',
    async () => {
      calls += 1
      if (calls < 4) throw new Error('connect ECONNREFUSED 127.0.0.1:9092')
      return 'metadata'
    },
    { deadlineMs: 10_000, logger, backoff: quick },
  )
  t.equal(value, 'metadata')
  t.equal(calls, 4)
  t.same(
    lines().map((line) => line.msg),
    ['waiting for kafka: connect ECONNREFUSED 127.0.0.1:9092', 'kafka is up'],
  )
})

t.test('a dependency that answers at once logs nothing', async (t) => {
  const { logger, lines } = capturingLogger()
  await waitForDependency('postgres', async () => undefined, { deadlineMs: 1000, logger })
  t.same(lines(), [])
})

t.test('past the deadline: DependencyUnavailableError naming the dependency and the last reason', async (t) => {
  const { logger } = capturingLogger()
  const failing = async (): Promise<void> => {
    throw new Error('HTTP 503')
  }
  await t.rejects(waitForDependency('registry', failing, { deadlineMs: 50, logger, backoff: quick }), {
    name: 'DependencyUnavailableError',
    dependency: 'registry',
    message: 'registry not available within 50 ms: HTTP 503',
  })
  // A probe that never answers is bounded by the deadline too.
  const hanging = (): Promise<void> => new Promise(() => undefined)
  const error = await waitForDependency('queue', hanging, { deadlineMs: 50, logger }).catch((caught: unknown) => caught)
  t.ok(error instanceof DependencyUnavailableError)
  t.match((error as Error).message, /^queue not available within 50 ms: queue did not answer within \d+ ms$/)
})

t.test('the deadline is shared: later dependencies get what is left', async (t) => {
  const { logger } = capturingLogger()
  const seen: string[] = []
  const error = await waitForDependencies(
    [
      { name: 'postgres', probe: async () => void seen.push('postgres') },
      {
        name: 'kafka',
        probe: async () => {
          seen.push('kafka')
          throw new Error('Broker not connected')
        },
      },
      { name: 'never reached', probe: async () => void seen.push('never') },
    ],
    { deadlineMs: 50, logger, backoff: quick },
  ).catch((caught: unknown) => caught)
  t.match(error, { name: 'DependencyUnavailableError', dependency: 'kafka' })
  t.notOk(seen.includes('never'))
})

t.test('aborting stops the wait at once, even inside a probe that hangs', async (t) => {
  const { logger } = capturingLogger()
  const controller = new AbortController()
  const waiting = waitForDependency('kafka', () => new Promise<void>(() => undefined), {
    deadlineMs: DEFAULT_STARTUP_DEADLINE_MS,
    logger,
    signal: controller.signal,
  })
  controller.abort()
  await t.rejects(waiting, StartAbortedError)
  const inPause = waitForDependency(
    'registry',
    async () => {
      throw new Error('HTTP 503')
    },
    { deadlineMs: DEFAULT_STARTUP_DEADLINE_MS, logger, signal: controller.signal, backoff: { initialMs: 60_000, jitter: false } },
  )
  await t.rejects(inPause, StartAbortedError, 'an aborted signal ends the pause too')
})

t.test('a failure waiting cannot fix is thrown as it is, at once', async (t) => {
  const { logger } = capturingLogger()
  class Refused extends Error {}
  let calls = 0
  const refusing = async (): Promise<void> => {
    calls += 1
    throw new Refused('maxmemory-policy=allkeys-lru')
  }
  const error = await waitForDependency('queue', refusing, {
    deadlineMs: 10_000,
    logger,
    shouldRetry: (caught) => !(caught instanceof Refused),
  }).catch((caught: unknown) => caught)
  t.ok(error instanceof Refused)
  t.equal(calls, 1)
})

t.test('probeRedis fails with the endpoint and the reason instead of queueing commands', async (t) => {
  await probeRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' })
  await t.rejects(probeRedis({ url: 'redis://127.0.0.1:1' }), { message: /^redis:\/\/127\.0\.0\.1:1\S*: .*ECONNREFUSED/ })
})

t.test('STARTUP_DEADLINE_MS: default, value, and a ConfigError naming it', async (t) => {
  t.equal(loadConfig(startupShape, {}).STARTUP_DEADLINE_MS, DEFAULT_STARTUP_DEADLINE_MS)
  t.equal(loadConfig(startupShape, { STARTUP_DEADLINE_MS: '5000' }).STARTUP_DEADLINE_MS, 5000)
  t.throws(() => loadConfig(startupShape, { STARTUP_DEADLINE_MS: 'soon' }), { name: 'ConfigError', message: /STARTUP_DEADLINE_MS/ })
})
