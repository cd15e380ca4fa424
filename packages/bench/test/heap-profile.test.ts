/**
 * The heap sampler the bench loads into its services: a process that allocates and drops 64 MiB
 * of strings writes, on exit, a profile whose samples add up to about that much, which only a
 * profile that keeps the collected objects can (Node's --heap-prof would show what is still alive).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { HEAP_PROFILE_DIR_VARIABLE } from '../src/heap-profile.js'

interface ProfileNode {
  selfSize: number
  children: ProfileNode[]
}

const sampler = fileURLToPath(new URL('../src/heap-profile.ts', import.meta.url))
/** Resolved here: the second child runs in a folder of its own, where `tsx` would not resolve. */
const tsx = import.meta.resolve('tsx')

function sampledBytes(node: ProfileNode): number {
  return node.children.reduce((sum, child) => sum + sampledBytes(child), node.selfSize)
}

t.test('a service that allocates and drops 64 MiB leaves a profile of about that much on exit', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'bench-heap-profile-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  // 4,096 arrays of 2,048 small integers: 16 KiB of heap each, dropped at once.
  const allocate = 'let n = 0; for (let i = 0; i < 4096; i++) n += new Array(2048).fill(i).length; process.exit(n > 0 ? 0 : 1)'
  execFileSync(process.execPath, ['--import', tsx, '--import', sampler, '-e', allocate], {
    env: { ...process.env, [HEAP_PROFILE_DIR_VARIABLE]: directory },
    stdio: 'inherit',
  })
  const files = readdirSync(directory)
  t.equal(files.length, 1, 'one profile')
  t.match(files[0], /^Heap\.\d+\.\d+\.heapprofile$/)
  const profile = JSON.parse(readFileSync(join(directory, files[0]!), 'utf8')) as { head: ProfileNode; samples: unknown[] }
  const bytes = sampledBytes(profile.head)
  t.ok(bytes > 32 * 2 ** 20 && bytes < 256 * 2 ** 20, `sampled ${Math.round(bytes / 2 ** 20)} MiB of the 64 allocated and dropped`)
})

t.test('without the variable the sampler writes nothing', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'bench-heap-profile-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== HEAP_PROFILE_DIR_VARIABLE))
  execFileSync(process.execPath, ['--import', tsx, '--import', sampler, '-e', 'new Array(1 << 20).fill(1)'], {
    env,
    cwd: directory,
    stdio: 'inherit',
  })
  t.same(readdirSync(directory), [], 'no file in the working directory')
})
