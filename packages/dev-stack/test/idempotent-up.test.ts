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
  // "external": a healthy broker/registry this checkout did not start (e.g. another checkout's) is reused.
  t.ok(
    before.every((s) => s.state === 'running' || s.state === 'external'),
    `all up: ${before.map((s) => `${s.name}=${s.state}`).join(' ')}`,
  )

  const lines: string[] = []
  const second = await stackUp({ progress: (line) => lines.push(line) })
  t.same(pids(second), pids(first), 'same pids from both ups')
  t.same(pids(await stackStatus()), pids(before), 'status reports the same pids')
  t.ok(
    lines.some((l) => /kafka already (running|answers)/.test(l)),
    'kafka reported as already up',
  )
  t.ok(
    lines.some((l) => /registry already (running|answers)/.test(l)),
    'registry reported as already up',
  )
})

t.test('cli: up is a no-op, status exits 0', async (t) => {
  const before = pids(await stackStatus())
  const tsx = ['--conditions=event-analytics-source', '--import', 'tsx', 'src/cli.ts']
  const up = await run(process.execPath, [...tsx, 'up'], { cwd: packageDir })
  t.match(up.stdout, /kafka already (running|answers)/, 'cli up notices the running broker')
  const status = await run(process.execPath, [...tsx, 'status'], { cwd: packageDir })
  t.match(status.stdout, /kafka\s+(running|external)/, 'cli status lists kafka up')
  t.same(pids(await stackStatus()), before, 'pids unchanged')
})

t.test('cli: unknown command exits 2', async (t) => {
  const result = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sideways'], { cwd: packageDir }).catch((e: unknown) => e)
  t.match(result, { code: 2 }, 'usage error')
})
