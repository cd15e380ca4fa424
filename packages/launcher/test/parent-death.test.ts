/**
 * A launcher killed outright (SIGKILL: no handler runs) leaves no service behind: each child gets
 * the SIGTERM a Ctrl-C would have sent it. Real processes: a stand-in launcher starts a probe
 * package through `startChild`, the test kills the launcher, and the probe records the signal it
 * got before it exits.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { parentDeathSignalSupported, stoppedWithThisProcess } from '../src/parent-death.js'
import { writeProbePackage } from './helpers/probe-package.js'

const LAUNCHER = fileURLToPath(new URL('./fixtures/start-one-child.ts', import.meta.url))

/** Polls until `holds` is true (a state another process reaches), failing after `timeoutMs`. */
async function until(what: string, holds: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await sleep(50)
  }
}

/** Gone, or a zombie nobody has reaped yet: either way it no longer runs. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true
  } catch {
    return true
  }
}

t.test('setpriv --pdeathsig works on this machine (Linux, util-linux)', async (t) => {
  t.ok(parentDeathSignalSupported())
})

t.test('a command is wrapped so that it receives SIGTERM when this process dies', async (t) => {
  t.same(stoppedWithThisProcess({ file: '/bin/tsx', args: ['src/main.ts'] }), {
    file: 'setpriv',
    args: ['--pdeathsig', 'TERM', '--', '/bin/tsx', 'src/main.ts'],
  })
})

t.test('a service stops with SIGTERM when the launcher that started it is killed outright', async (t) => {
  const root = t.testdir({})
  const dir = writeProbePackage(root, 'node probe.cjs', {
    'probe.cjs': [
      "const { writeFileSync } = require('node:fs')",
      "process.on('SIGTERM', () => { writeFileSync('signal', 'SIGTERM'); process.exit(0) })",
      "console.log('ready ' + process.pid)",
      'setInterval(() => undefined, 60000)',
    ].join('\n'),
  })
  const launcher = spawn(process.execPath, ['--import=tsx', '--conditions=event-analytics-source', LAUNCHER, root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const launcherExited = new Promise((resolve) => launcher.once('exit', resolve))
  let output = ''
  const probePid = await new Promise<number>((resolve, reject) => {
    launcher.stdout.setEncoding('utf8')
    launcher.stdout.on('data', (chunk: string) => {
      output += chunk
      const ready = /probe \| ready (\d+)/.exec(output)
      if (ready?.[1] !== undefined) resolve(Number(ready[1]))
    })
    launcher.once('exit', (code) => reject(new Error(`the stand-in launcher exited (${code}) before its child was ready:\n${output}`)))
  })
  t.teardown(() => {
    if (!ended(probePid)) process.kill(probePid, 'SIGKILL')
  })

  launcher.kill('SIGKILL')
  await launcherExited
  await until('the probe recorded a signal', () => existsSync(join(dir, 'signal')))
  t.equal(readFileSync(join(dir, 'signal'), 'utf8'), 'SIGTERM', 'the probe got SIGTERM, as from a Ctrl-C')
  await until('the probe ended', () => ended(probePid))
  t.pass(`probe ${probePid} ended with its launcher`)
})
