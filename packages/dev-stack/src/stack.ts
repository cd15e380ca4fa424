/** The whole local stack: PostgreSQL, Redis (machine services), Kafka and the registry (ours). */
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import { ensureKafkaDistribution, ensureRegistryDistribution } from './artifacts.js'
import { stackEndpoints, stackSettings, type StackEndpoints, type StackSettings } from './config.js'
import { silent, StackError, type Progress } from './errors.js'
import { kafkaService } from './kafka.js'
import { withLock } from './lock.js'
import { tailFile } from './proc.js'
import {
  foreignServices,
  managedDown,
  managedStatus,
  managedUp,
  type ComponentStatus,
  type ForeignPolicy,
  type ManagedService,
} from './managed.js'
import { cloneOf, describeOwnership } from './owner.js'
import { kafkaCoordinatorProblem } from './probes.js'
import { registryService } from './registry.js'
import { postgresService, redisService, systemStatus, systemUp, type SystemService } from './system.js'

export interface StackOptions {
  progress?: Progress
  env?: NodeJS.ProcessEnv
}

export interface StackUpOptions extends StackOptions {
  /**
   * A Kafka or registry that answers but is not this clone's (another clone's, or unknown): `use` it
   * and say whose it is (default: tests, `pnpm stack up`), or `refuse` before starting anything
   * (`npm start` unless STACK_ADOPT=1), since its data lives elsewhere.
   */
  foreign?: ForeignPolicy
}

export interface StackDownOptions extends StackOptions {
  /** Only these components (`kafka`, `registry`); default both. */
  only?: string[]
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
    await sleep(1_000)
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

async function refuseForeign(parts: Components): Promise<void> {
  const foreign = await foreignServices(parts.managed)
  if (foreign.length === 0) return
  const lines = foreign.map(({ service, owner }) => `  ${service.name} at ${service.address} is ${describeOwnership(owner)}`)
  const elsewhere = foreign.flatMap(({ owner }) => (owner.kind === 'other-clone' ? [cloneOf(owner.stackDir)] : []))
  const stop = [...new Set(elsewhere)].map((clone) => `(cd ${clone} && pnpm stack down)`)
  throw new StackError(
    foreign.map(({ service }) => service.name).join(', '),
    [
      "not this clone's, so not used: its data lives elsewhere.",
      ...lines,
      `  Use it anyway: STACK_ADOPT=1 npm start. Or stop it${stop.length === 0 ? '' : `: ${stop.join(' ')}`}, then npm start again.`,
    ].join('\n'),
  )
}

async function upLocked(parts: Components, progress: Progress, foreign: ForeignPolicy): Promise<ComponentStatus[]> {
  const started = Date.now()
  if (foreign === 'refuse') await refuseForeign(parts)
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
export async function stackUp(options: StackUpOptions = {}): Promise<ComponentStatus[]> {
  const parts = components(options.env ?? process.env)
  const progress = options.progress ?? silent
  const foreign = options.foreign ?? 'use'
  return withLock(join(parts.settings.stackDir, 'run', 'up.lock'), 15 * 60_000, () => upLocked(parts, progress, foreign))
}

/** The names `stackDown({ only })` accepts. */
export const MANAGED_COMPONENTS = ['kafka', 'registry'] as const

/**
 * Stops this clone's Kafka and registry (SIGTERM, then SIGKILL), or only those named; never another
 * clone's (only processes named by this stack's pid files). PostgreSQL and Redis are left running.
 */
export async function stackDown(options: StackDownOptions = {}): Promise<void> {
  const parts = components(options.env ?? process.env)
  const progress = options.progress ?? silent
  const unknown = (options.only ?? []).filter((name) => !parts.managed.some((service) => service.name === name))
  if (unknown.length > 0) throw new Error(`stack down: unknown component ${unknown.join(', ')} (known: ${MANAGED_COMPONENTS.join(', ')})`)
  const chosen = parts.managed.filter((service) => options.only === undefined || options.only.includes(service.name))
  await settleAll(chosen.map((service) => managedDown(service, progress)))
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
