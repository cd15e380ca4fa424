/** `up` twice is a no-op: the same processes keep running, and the CLI says so. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { stackStatus, stackUp, type ComponentStatus } from '../src/index.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

function pids(statuses: ComponentStatus[]): Record<string, number | undefined> {
  return Object.fromEntries(statuses.map((s) => [s.name, s.pid]))
}

t.test('second up changes nothing', async (t) => {
  const first = await stackUp()
  const before = await stackStatus()
  t.ok(before.every((s) => s.state === 'running'), `all running: ${before.map((s) => `${s.name}=${s.state}`).join(' ')}`)

  const lines: string[] = []
  const second = await stackUp({ progress: (line) => lines.push(line) })
  t.same(pids(second), pids(first), 'same pids from both ups')
  t.same(pids(await stackStatus()), pids(before), 'status reports the same pids')
  t.ok(lines.some((l) => l.includes('kafka already running')), 'kafka reported as already running')
  t.ok(lines.some((l) => l.includes('registry already running')), 'registry reported as already running')
})

t.test('cli: up is a no-op, status exits 0', async (t) => {
  const before = pids(await stackStatus())
  const tsx = ['--conditions=event-analytics-source', '--import', 'tsx', 'src/cli.ts']
  const up = await run(process.execPath, [...tsx, 'up'], { cwd: packageDir })
  t.match(up.stdout, /kafka already running/, 'cli up notices the running broker')
  const status = await run(process.execPath, [...tsx, 'status'], { cwd: packageDir })
  t.match(status.stdout, /kafka\s+running/, 'cli status lists kafka running')
  t.same(pids(await stackStatus()), before, 'pids unchanged')
})

t.test('cli: unknown command exits 2', async (t) => {
  const result = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sideways'], { cwd: packageDir }).catch((e: unknown) => e)
  t.match(result, { code: 2 }, 'usage error')
})
