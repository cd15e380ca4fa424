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
import { loadApiConfig, retry } from '@event-analytics/query-api'
import { banner } from './banner.js'
import { operatorToken, signInLink } from './credentials.js'
import { useStackSecret } from './secret.js'
import { findLiveOwner } from './live-owner.js'
import { ExitedBeforeReadyError, startChild, stopChild, waitReady, type Child } from './children.js'
import { parentDeathSignalSupported } from './parent-death.js'
import { PortInUseError, portInUse, waitForFreePort } from './port.js'
import { DEFAULT_SETTINGS, REGISTER_SCHEMAS, serviceSpecs, type ServiceSpec } from './services.js'

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const READY_TIMEOUT_MS = 120_000
const STOP_GRACE_MS = 20_000
/** A service of a killed earlier run gets SIGTERM when it dies (parent-death.ts) and stops within its own shutdown bound. */
const PORT_RELEASE_WAIT_MS = 15_000
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

/**
 * Starts `spec` and waits until it is ready. A service that exits during start-up (a dependency
 * that dropped a connection at the wrong moment) is started again with backoff, as long as its
 * start-up deadline (STARTUP_DEADLINE_MS, from its first start) has not passed; only then does
 * `npm start` give up. Once ready, a service dying on its own takes the whole run down: a
 * half-running system misleads.
 */
async function start(spec: ServiceSpec, startupDeadlineMs: number): Promise<void> {
  const firstStart = Date.now()
  // The services wait up to the deadline themselves; booting (tsx) comes on top.
  const readyBy = firstStart + Math.max(READY_TIMEOUT_MS, 2 * startupDeadlineMs)
  await retry(
    async () => {
      const child = startChild(PACKAGES, spec, format, write)
      running.push(child)
      let ready = false
      void child.exited.then((result) => {
        if (ready && stopping === undefined) void stopAll(`${spec.name} exited unexpectedly (${result})`, 1)
      })
      if (spec.readyUrl === null) {
        ready = true
        return
      }
      say(`waiting for ${spec.name} (${spec.readyUrl})`)
      try {
        await waitReady(child, spec.readyUrl, Math.max(0, readyBy - Date.now()), (seconds, last) =>
          say(`  ${spec.name}: still waiting after ${seconds} s (${last})`),
        )
      } catch (error) {
        running.splice(running.indexOf(child), 1)
        await stopChild(child, STOP_GRACE_MS)
        throw error
      }
      ready = true
      say(`${spec.name} is ready`)
    },
    {
      attempts: Infinity,
      deadlineMs: startupDeadlineMs,
      backoff: { initialMs: 1000, factor: 2, maxMs: 5000 },
      shouldRetry: (error) => error instanceof ExitedBeforeReadyError && stopping === undefined,
      onRetry: (error, attempt, delayMs) => {
        const left = Math.round((firstStart + startupDeadlineMs - Date.now()) / 1000)
        say(
          `${error instanceof Error ? error.message : String(error)}; starting it again in ${(delayMs / 1000).toFixed(1)} s ` +
            `(restart ${attempt}, up to ${left} s more before \`npm start\` gives up)`,
        )
      },
    },
  )
}

/**
 * Refuses to start beside other processes on the services' ports: a service's readiness check
 * would take such a process for the service. Waits a little first, for services of a killed
 * earlier run that are still shutting down.
 */
async function checkPortsFree(specs: readonly ServiceSpec[]): Promise<void> {
  const ports = specs.flatMap((spec) => {
    if (spec.readyUrl === null) return []
    const { hostname, port } = new URL(spec.readyUrl)
    return [{ service: spec.name, host: hostname, port: Number(port) }]
  })
  const busy = (await Promise.all(ports.map(async (entry) => ((await portInUse(entry.host, entry.port)) ? [entry] : [])))).flat()
  if (busy.length === 0) return
  say(
    `${busy.map(({ host, port, service }) => `${host}:${port} (${service})`).join(', ')} in use; waiting up to ${PORT_RELEASE_WAIT_MS / 1000} s for release`,
  )
  const held = (
    await Promise.all(busy.map(async (entry) => ((await waitForFreePort(entry.host, entry.port, PORT_RELEASE_WAIT_MS)) ? [] : [entry])))
  ).flat()
  if (held.length > 0) throw new PortInUseError(held)
}

async function main(): Promise<void> {
  // on, not once: a second Ctrl-C must not kill the launcher and orphan the children.
  process.on('SIGINT', () => void stopAll('SIGINT', 0))
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0))
  // Children inherit process.env, so the API verifies with the secret the banner's token uses.
  const secretNote = useStackSecret(process.env)
  if (secretNote !== undefined) say(secretNote)
  if (!parentDeathSignalSupported()) {
    say('`setpriv --pdeathsig` is not available here: if this `npm start` is killed outright, its services keep running')
  }
  const apiConfig = loadApiConfig()
  const settings = { ...DEFAULT_SETTINGS, apiPort: apiConfig.port, simulatorSeed: Date.now() % 1_000_000 }
  const skipped: string[] = []
  const specs = serviceSpecs(settings).filter((spec) => {
    if (!spec.optional || existsSync(join(PACKAGES, spec.packageDir, 'package.json'))) return true
    skipped.push(`${spec.name} (packages/${spec.packageDir} is not there yet; channels get no external metrics)`)
    say(`skipping ${spec.name}: packages/${spec.packageDir} does not exist`)
    return false
  })
  await checkPortsFree(specs)
  say('registering the Avro schemas')
  await runOnce(REGISTER_SCHEMAS)
  for (const spec of specs) {
    if (stopping !== undefined) return
    say(`starting ${spec.name}`)
    await start(spec, apiConfig.startupDeadlineMs)
  }
  const token = await operatorToken(apiConfig)
  const apiBaseUrl = `http://127.0.0.1:${settings.apiPort}`
  const idPrefix = `sim${settings.simulatorSeed}`
  say('looking for a simulated owner whose campaign is running (for the sign-in link)')
  const owners = [1, 2, 3].map((n) => `${idPrefix}-owner-${n}`)
  const live = await findLiveOwner(apiBaseUrl, token, owners, LIVE_OWNER_TIMEOUT_MS)
  const link = live === null ? undefined : await signInLink(apiConfig, apiBaseUrl, live.userId)
  const dashboard = live === null || link === undefined ? null : { link, userId: live.userId, title: live.title }
  write(banner({ apiBaseUrl, token, skipped, idPrefix, stopsStack: STOPS_STACK, dashboard }))
}

main().catch((error: unknown) => {
  say(`start failed: ${error instanceof Error ? error.message : String(error)}`)
  void stopAll('start failed', 1)
})
