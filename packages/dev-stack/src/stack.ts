/** The whole local stack: PostgreSQL, Redis (machine services), Kafka and the registry (ours). */
import { join } from 'node:path'
import { ensureKafkaDistribution, ensureRegistryDistribution } from './artifacts.js'
import { stackEndpoints, stackSettings, type StackEndpoints, type StackSettings } from './config.js'
import { silent, StackError, type Progress } from './errors.js'
import { kafkaService } from './kafka.js'
import { withLock } from './lock.js'
import { tailFile } from './proc.js'
import { managedDown, managedStatus, managedUp, type ComponentStatus, type ManagedService } from './managed.js'
import { kafkaCoordinatorProblem } from './probes.js'
import { registryService } from './registry.js'
import { postgresService, redisService, systemStatus, systemUp, type SystemService } from './system.js'

export interface StackOptions {
  progress?: Progress
  env?: NodeJS.ProcessEnv
}

interface Components {
  settings: StackSettings
  endpoints: StackEndpoints
  system: SystemService[]
  managed: ManagedService[]
}

function components(env: NodeJS.ProcessEnv): Components {
  const settings = stackSettings(env)
  const endpoints = stackEndpoints(env)
  return {
    settings,
    endpoints,
    system: [postgresService(endpoints), redisService(endpoints)],
    managed: [kafkaService(settings, endpoints.kafkaBrokers), registryService(settings)],
  }
}

/** Collects every failure of parallel work, so one report names all that went wrong. */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work)
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown)
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} components failed`)
  if (failures.length === 1) throw failures[0]
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}

async function waitForCoordinator(parts: Components, progress: Progress, timeoutMs = 90_000): Promise<void> {
  const started = Date.now()
  let problem = await kafkaCoordinatorProblem(parts.endpoints.kafkaBrokers)
  while (problem !== undefined && Date.now() - started < timeoutMs) {
    await new Promise((done) => setTimeout(done, 1_000))
    problem = await kafkaCoordinatorProblem(parts.endpoints.kafkaBrokers)
  }
  const kafka = parts.managed.find((service) => service.name === 'kafka')
  if (problem !== undefined) {
    throw new StackError(
      'kafka',
      `answers metadata, but its group coordinator does not: ${problem}`,
      kafka?.logFile,
      kafka === undefined ? undefined : tailFile(kafka.logFile),
    )
  }
  progress(`✓ kafka group coordinator ready (${((Date.now() - started) / 1000).toFixed(1)}s)`)
}

async function upLocked(parts: Components, progress: Progress): Promise<ComponentStatus[]> {
  const started = Date.now()
  const system = []
  for (const service of parts.system) system.push(await systemUp(service, progress))
  ensureKafkaDistribution(parts.settings, progress)
  ensureRegistryDistribution(parts.settings, progress)
  const managed = await settleAll(parts.managed.map((service) => managedUp(service, progress)))
  await waitForCoordinator(parts, progress)
  progress(`stack is up (${((Date.now() - started) / 1000).toFixed(1)}s)`)
  return [...system, ...managed]
}

/** Brings every component up; what already runs is left alone. */
export async function stackUp(options: StackOptions = {}): Promise<ComponentStatus[]> {
  const parts = components(options.env ?? process.env)
  const progress = options.progress ?? silent
  return withLock(join(parts.settings.stackDir, 'run', 'up.lock'), 15 * 60_000, () => upLocked(parts, progress))
}

/** Stops Kafka and the registry (SIGTERM, then SIGKILL). PostgreSQL and Redis are left running. */
export async function stackDown(options: StackOptions = {}): Promise<void> {
  const parts = components(options.env ?? process.env)
  const progress = options.progress ?? silent
  await settleAll(parts.managed.map((service) => managedDown(service, progress)))
  for (const service of parts.system) progress(`- ${service.name} left running (machine service)`)
}

export async function stackStatus(options: StackOptions = {}): Promise<ComponentStatus[]> {
  const parts = components(options.env ?? process.env)
  return Promise.all([...parts.system.map(systemStatus), ...parts.managed.map(managedStatus)])
}

/** For tests: returns the endpoints at once when everything answers, else runs `up` first. */
export async function ensureStackUp(options: StackOptions = {}): Promise<StackEndpoints> {
  const statuses = await stackStatus(options)
  const ready = statuses.every((s) => s.state === 'running' || s.state === 'external')
  if (!ready) await stackUp(options)
  return stackEndpoints(options.env ?? process.env)
}
