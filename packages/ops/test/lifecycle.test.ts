/** The shutdown bound: a close that never finishes (a dependency gone) cannot keep the process alive. */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { closeWithin, runService } from '../src/index.js'

const logger = pino({ level: 'silent' })

t.test('closeWithin: true when close finishes, false when it hangs past the bound or fails', async (t) => {
  t.equal(await closeWithin({ close: async () => undefined }, 1000, logger), true)
  t.equal(await closeWithin({ close: () => new Promise<void>(() => undefined) }, 50, logger), false)
  t.equal(
    await closeWithin(
      {
        close: async () => {
          throw new Error('redis gone')
        },
      },
      1000,
      logger,
    ),
    false,
  )
})

t.test('runService: SIGTERM closes and exits 0; a hanging close still exits (1) at the bound', async (t) => {
  const exits: number[] = []
  let closed = 0
  await runService(
    {
      start: async () => undefined,
      close: async () => {
        closed += 1
      },
    },
    { logger, exit: (code) => exits.push(code) },
  )
  process.emit('SIGTERM')
  await sleep(20)
  t.same({ exits, closed }, { exits: [0], closed: 1 })

  const hanging: number[] = []
  await runService(
    { start: async () => undefined, close: () => new Promise<void>(() => undefined) },
    { logger, shutdownTimeoutMs: 50, exit: (code) => hanging.push(code) },
  )
  process.emit('SIGTERM')
  await sleep(150)
  t.same(hanging, [1], 'exited with 1 once the bound passed')
})

t.test('runService: a failed start closes and exits 1', async (t) => {
  const exits: number[] = []
  let closed = false
  await runService(
    {
      start: async () => {
        throw new Error('unsafe Redis')
      },
      close: async () => {
        closed = true
      },
    },
    { logger, exit: (code) => exits.push(code) },
  )
  t.same({ exits, closed }, { exits: [1], closed: true })
})

t.test('runService: an uncaught exception or unhandled rejection logs one fatal line, closes and exits 1', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/crashing-service.ts', import.meta.url))
  for (const [how, message] of [
    ['throw', 'uncaught exception'],
    ['reject', 'unhandled rejection'],
  ] as const) {
    const child = spawn(process.execPath, ['--import=tsx', '--conditions=event-analytics-source', fixture, how], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const [code] = (await once(child, 'exit')) as [number | null]
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
    const fatal = lines.filter((line) => line.level === 60)
    t.equal(code, 1, `${how}: exit code`)
    t.same(
      fatal.map((line) => line.msg),
      [message],
      `${how}: one fatal line`,
    )
    t.ok(
      lines.some((line) => line.msg === 'closed'),
      `${how}: closed before exiting`,
    )
  }
})
