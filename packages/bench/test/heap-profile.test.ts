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
import type { Test } from 'tap'
import { HEAP_PROFILE_DIR_VARIABLE, HEAP_PROFILE_KEEP_VARIABLE } from '../src/heap-profile-options.js'

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

/** The bytes the profile of `script` sampled, the sampler keeping `keep`. */
function sampledBy(script: string, keep: string, t: Test): number {
  const directory = mkdtempSync(join(tmpdir(), 'bench-heap-profile-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  execFileSync(process.execPath, ['--import', tsx, '--import', sampler, '-e', script], {
    env: { ...process.env, [HEAP_PROFILE_DIR_VARIABLE]: directory, [HEAP_PROFILE_KEEP_VARIABLE]: keep },
    stdio: 'inherit',
  })
  const [file] = readdirSync(directory)
  const profile = JSON.parse(readFileSync(join(directory, file!), 'utf8')) as { head: ProfileNode }
  return sampledBytes(profile.head)
}

t.test('keeping what was promoted leaves out what the scavenges freed', async (t) => {
  // 1,024 arrays of 16 KiB held across every scavenge of the loop (16 MiB promoted), each next to
  // four dropped at once (64 MiB that die young); then all of them dropped.
  const allocate =
    'const kept = []; let n = 0; for (let i = 0; i < 1024; i++) { kept.push(new Array(2048).fill(i)); ' +
    'for (let j = 0; j < 4; j++) n += new Array(2048).fill(j).length } kept.length = 0; process.exit(n > 0 ? 0 : 1)'
  const all = sampledBy(allocate, 'all', t)
  const promoted = sampledBy(allocate, 'promoted', t)
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20)
  t.ok(all > 48 * 2 ** 20, `all: ${mib(all)} MiB of the 80 allocated`)
  t.ok(promoted > 8 * 2 ** 20 && promoted < 40 * 2 ** 20, `promoted: ${mib(promoted)} MiB: the 16 held, and what loading the modules kept`)
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
