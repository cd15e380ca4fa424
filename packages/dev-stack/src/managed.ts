/** Lifecycle of a process the stack starts itself (Kafka, the registry): pid file + readiness probe. */
import { StackError, type Progress } from './errors.js'
import { tcpOpen } from './probes.js'
import { isAlive, readPid, removeFile, stopProcess, tailFile } from './proc.js'

export interface ManagedService {
  name: string
  pidFile: string
  logFile: string
  /** text found in the process's command line, to tell our process from a recycled pid */
  marker: string
  /** human-readable address, for progress lines */
  address: string
  /** TCP ports it binds on 127.0.0.1, checked to be free before starting */
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

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

function livePid(service: ManagedService): number | undefined {
  const pid = readPid(service.pidFile)
  return pid !== undefined && isAlive(pid, service.marker) ? pid : undefined
}

export async function managedStatus(service: ManagedService): Promise<ComponentStatus> {
  const base = { name: service.name, address: service.address, logFile: service.logFile }
  const pid = livePid(service)
  const answers = await service.answers()
  if (pid !== undefined) return { ...base, pid, state: answers ? 'running' : 'starting' }
  return { ...base, state: answers ? 'external' : 'stopped', ...(answers ? { detail: 'answering, but not started by dev-stack' } : {}) }
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
    progress(`✓ ${service.name} already answers at ${service.address} (not started by dev-stack, left alone)`)
    return { name: service.name, state: 'external', address: service.address }
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
