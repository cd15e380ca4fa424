/** Lifecycle of a process the stack starts itself (Kafka, the registry): pid file + readiness probe. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { StackError, type Progress } from './errors.js'
import { classifyListener, describeOwnership, portListener, type Ownership } from './owner.js'
import { tcpOpen } from './probes.js'
import { isAlive, readPid, removeFile, stopProcess, tailFile } from './proc.js'

export interface ManagedService {
  /** also the name of its folder under the stack dir, its working directory */
  name: string
  /** the stack folder it belongs to (`<repo>/.stack`, or STACK_DIR) */
  stackDir: string
  pidFile: string
  logFile: string
  /** text found in the process's command line, to tell our process from a recycled pid */
  marker: string
  /** human-readable address, for progress lines */
  address: string
  /** TCP ports it binds on 127.0.0.1, checked to be free before starting; the first is its main port */
  ports: number[]
  startTimeoutMs: number
  answers(): Promise<boolean>
  /** prepares (config, storage) and spawns the process; returns its pid */
  launch(progress: Progress): Promise<number>
}

export type State = 'running' | 'starting' | 'stopped' | 'external' | 'down'

export interface ComponentStatus {
  name: string
  state: State
  pid?: number
  address: string
  detail?: string
  logFile?: string
}

function livePid(service: ManagedService): number | undefined {
  const pid = readPid(service.pidFile)
  return pid !== undefined && isAlive(pid, service.marker) ? pid : undefined
}

/** Whose is the process listening on the service's main port (see owner.ts). */
export function ownershipOf(service: ManagedService, procRoot?: string): Ownership {
  const port = service.ports[0]
  const listener = port === undefined ? undefined : portListener(port, procRoot)
  return classifyListener(listener, service.name, service.stackDir, (stackDir) => readPid(join(stackDir, 'run', `${service.name}.pid`)))
}

/**
 * Whether a live process answers: it gets three probes a second apart, because a JVM on a loaded
 * machine (a garbage collection, a test suite beside it) can miss one probe's 2 s without being
 * any less up.
 */
async function liveProcessAnswers(service: ManagedService): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    if (await service.answers()) return true
    if (attempt === 3) return false
    await sleep(1_000)
  }
}

export async function managedStatus(service: ManagedService): Promise<ComponentStatus> {
  const base = { name: service.name, address: service.address, logFile: service.logFile }
  const pid = livePid(service)
  const answers = pid === undefined ? await service.answers() : await liveProcessAnswers(service)
  if (pid !== undefined) return { ...base, pid, state: answers ? 'running' : 'starting' }
  if (!answers) return { ...base, state: 'stopped' }
  const owner = ownershipOf(service)
  return {
    ...base,
    state: 'external',
    ...(owner.pid === undefined ? {} : { pid: owner.pid }),
    detail: `answering, ${describeOwnership(owner)}`,
  }
}

/** What `up` does with a Kafka or registry that answers but is not this clone's: use it (saying whose it is) or refuse. */
export type ForeignPolicy = 'use' | 'refuse'

/**
 * The services that answer without a live pid file of this clone, and are not this clone's either:
 * with `refuse`, `up` stops before starting anything and names them.
 */
export async function foreignServices(services: ManagedService[]): Promise<{ service: ManagedService; owner: Ownership }[]> {
  const found = []
  for (const service of services) {
    if (livePid(service) !== undefined || !(await service.answers())) continue
    const owner = ownershipOf(service)
    if (owner.kind !== 'ours') found.push({ service, owner })
  }
  return found
}

async function waitReady(service: ManagedService, pid: number, progress: Progress): Promise<void> {
  const started = Date.now()
  const deadline = started + service.startTimeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      removeFile(service.pidFile)
      throw new StackError(service.name, `process ${pid} exited during startup`, service.logFile, tailFile(service.logFile))
    }
    if (await service.answers()) {
      progress(`✓ ${service.name} ready at ${service.address} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)}s)`)
      return
    }
    await sleep(500)
  }
  const tail = tailFile(service.logFile)
  await stopProcess(pid, 10_000)
  removeFile(service.pidFile)
  throw new StackError(
    service.name,
    `did not answer at ${service.address} within ${service.startTimeoutMs / 1000}s (stopped it)`,
    service.logFile,
    tail,
  )
}

/** Idempotent: a running, answering process is left alone. */
export async function managedUp(service: ManagedService, progress: Progress): Promise<ComponentStatus> {
  const pid = livePid(service)
  if (pid !== undefined) {
    if (await service.answers()) {
      progress(`✓ ${service.name} already running at ${service.address} (pid ${pid})`)
    } else {
      progress(`… ${service.name} (pid ${pid}) is starting, waiting for it`)
      await waitReady(service, pid, progress)
    }
    return { name: service.name, state: 'running', pid, address: service.address, logFile: service.logFile }
  }
  removeFile(service.pidFile)
  if (await service.answers()) {
    const owner = ownershipOf(service)
    if (owner.kind === 'ours') {
      // this clone's process whose pid file went missing: track it again, so `down` can stop it
      mkdirSync(dirname(service.pidFile), { recursive: true })
      writeFileSync(service.pidFile, `${owner.pid}\n`)
      progress(`✓ ${service.name} already answers at ${service.address} (${describeOwnership(owner)}; tracked again)`)
      return { name: service.name, state: 'running', pid: owner.pid, address: service.address, logFile: service.logFile }
    }
    progress(`! ${service.name} already answers at ${service.address}: ${describeOwnership(owner)}; using it, left alone`)
    return { name: service.name, state: 'external', address: service.address, ...(owner.pid === undefined ? {} : { pid: owner.pid }) }
  }
  for (const port of service.ports) {
    if (await tcpOpen('127.0.0.1', port)) {
      throw new StackError(
        service.name,
        `port ${port} is already taken by another process that is not a ${service.name} we can talk to (see: ss -ltnp 'sport = :${port}')`,
      )
    }
  }
  const newPid = await service.launch(progress)
  progress(`… ${service.name} started (pid ${newPid}), waiting until it answers at ${service.address}; log: ${service.logFile}`)
  await waitReady(service, newPid, progress)
  return { name: service.name, state: 'running', pid: newPid, address: service.address, logFile: service.logFile }
}

export async function managedDown(service: ManagedService, progress: Progress, timeoutMs = 20_000): Promise<void> {
  const pid = livePid(service)
  if (pid === undefined) {
    removeFile(service.pidFile)
    progress(`- ${service.name} not running`)
    return
  }
  progress(`… stopping ${service.name} (pid ${pid})`)
  const how = await stopProcess(pid, timeoutMs)
  removeFile(service.pidFile)
  progress(
    how === 'killed' ? `✓ ${service.name} killed (did not stop within ${timeoutMs / 1000}s of SIGTERM)` : `✓ ${service.name} stopped`,
  )
}
