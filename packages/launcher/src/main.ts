/**
 * `npm start` after the stack is up and migrated: schemas, services, channel provider
 * simulator, traffic simulator; URLs and a token once everything answers; Ctrl-C/SIGTERM
 * stop the children in reverse order, then Kafka and the registry when this run started them
 * (STOP_STACK_ON_EXIT=1, set by scripts/npm-entry.sh).
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stackDown } from '@event-analytics/dev-stack'
import { loadApiConfig, signDevToken, signLoginCode } from '@event-analytics/query-api'
import { banner } from './banner.js'
import { useStackSecret } from './secret.js'
import { findLiveOwner } from './live-owner.js'
import { startChild, stopChild, waitReady, type Child } from './children.js'
import { DEFAULT_SETTINGS, REGISTER_SCHEMAS, serviceSpecs, type ServiceSpec } from './services.js'

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const READY_TIMEOUT_MS = 120_000
const STOP_GRACE_MS = 20_000
/** The simulator's first participants land within seconds; past this the banner goes without a link. */
const LIVE_OWNER_TIMEOUT_MS = 60_000
const format = { colour: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined, width: 12 }
const write = (line: string): void => void process.stdout.write(`${line}\n`)
const say = (text: string): void => write(`==> ${text}`)

const STOPS_STACK = process.env['STOP_STACK_ON_EXIT'] === '1'

const running: Child[] = []
let stopping: Promise<void> | undefined

function stopAll(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say(
      `stopping (${reason}): ${
        [...running]
          .reverse()
          .map((child) => child.spec.name)
          .join(', ') || 'nothing running'
      }`,
    )
    for (const child of [...running].reverse()) {
      const result = await stopChild(child, STOP_GRACE_MS)
      say(`${child.spec.name} stopped (${result})`)
    }
    await stopStack()
    process.exit(exitCode)
  })()
  return stopping
}

async function stopStack(): Promise<void> {
  if (!STOPS_STACK) {
    say('the local stack was up before `npm start` and stays up; `pnpm stack down` stops it')
    return
  }
  say('stopping Kafka and the registry (started by this `npm start`)')
  try {
    await stackDown({ progress: (line) => write(`    ${line}`) })
  } catch (error) {
    say(`the stack did not stop cleanly: ${error instanceof Error ? error.message : String(error)}; see \`pnpm stack status\``)
  }
}

async function runOnce(spec: ServiceSpec): Promise<void> {
  const child = startChild(PACKAGES, spec, format, write)
  const result = await child.exited
  if (result !== 0) throw new Error(`${spec.name} failed (${result})`)
}

async function start(spec: ServiceSpec): Promise<void> {
  const child = startChild(PACKAGES, spec, format, write)
  running.push(child)
  // A service dying on its own takes the whole run down: a half-running system misleads.
  void child.exited.then((result) => {
    if (stopping === undefined) void stopAll(`${spec.name} exited unexpectedly (${result})`, 1)
  })
  if (spec.readyUrl === null) return
  say(`waiting for ${spec.name} (${spec.readyUrl})`)
  await waitReady(child, spec.readyUrl, READY_TIMEOUT_MS, (seconds, last) =>
    say(`  ${spec.name}: still waiting after ${seconds} s (${last})`),
  )
  say(`${spec.name} is ready`)
}

async function main(): Promise<void> {
  // on, not once: a second Ctrl-C must not kill the launcher and orphan the children.
  process.on('SIGINT', () => void stopAll('SIGINT', 0))
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0))
  // Children inherit process.env, so the API verifies with the secret the banner's token uses.
  const secretNote = useStackSecret(process.env)
  if (secretNote !== undefined) say(secretNote)
  const apiConfig = loadApiConfig()
  const settings = { ...DEFAULT_SETTINGS, apiPort: apiConfig.port, simulatorSeed: Date.now() % 1_000_000 }
  say('registering the Avro schemas')
  await runOnce(REGISTER_SCHEMAS)
  const skipped: string[] = []
  for (const spec of serviceSpecs(settings)) {
    if (stopping !== undefined) return
    if (spec.optional && !existsSync(join(PACKAGES, spec.packageDir, 'package.json'))) {
      skipped.push(`${spec.name} (packages/${spec.packageDir} is not there yet; channels get no external metrics)`)
      say(`skipping ${spec.name}: packages/${spec.packageDir} does not exist`)
      continue
    }
    say(`starting ${spec.name}`)
    await start(spec)
  }
  if (apiConfig.auth.secret === undefined) throw new Error('no HS256 secret (JWT_SECRET) to sign a token with')
  const token = await signDevToken(apiConfig.auth.secret, { sub: 'operator', operator: true, ttlSeconds: 24 * 3600 })
  const apiBaseUrl = `http://127.0.0.1:${settings.apiPort}`
  const idPrefix = `sim${settings.simulatorSeed}`
  say('looking for a simulated owner whose campaign is running (for the sign-in link)')
  const owners = [1, 2, 3].map((n) => `${idPrefix}-owner-${n}`)
  const live = await findLiveOwner(apiBaseUrl, token, owners, LIVE_OWNER_TIMEOUT_MS)
  const sessionSecret = apiConfig.live.sessionSecret
  const dashboard =
    live === null || sessionSecret === undefined
      ? null
      : {
          link: `${apiBaseUrl}/auth/login?code=${await signLoginCode(sessionSecret, live.userId)}`,
          userId: live.userId,
          title: live.title,
        }
  write(banner({ apiBaseUrl, token, skipped, idPrefix, stopsStack: STOPS_STACK, dashboard }))
}

main().catch((error: unknown) => {
  say(`start failed: ${error instanceof Error ? error.message : String(error)}`)
  void stopAll('start failed', 1)
})
