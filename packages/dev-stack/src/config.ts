/**
 * Where the stack lives on disk and where its components listen. Everything comes from
 * environment variables with local defaults, so other packages' tests can find the stack.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface StackEndpoints {
  /** host:port list for kafkajs */
  kafkaBrokers: string[]
  /** Confluent-compatible base URL of the registry, for @kafkajs/confluent-schema-registry */
  registryUrl: string
  databaseUrl: string
  redisUrl: string
}

export interface StackSettings {
  repoRoot: string
  packageDir: string
  /** git-ignored working folder: artifacts, data, logs, pid files */
  stackDir: string
  kafkaPort: number
  kafkaControllerPort: number
  registryPort: number
  registryManagementPort: number
  kafkaHeap: string
  registryHeap: string
}

type Env = Record<string, string | undefined>

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`)
  }
  return value
}

/** The monorepo root: the nearest folder above this package holding pnpm-workspace.yaml. */
export function findRepoRoot(start: string = packageDir): string {
  let dir = start
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return resolve(packageDir, '..', '..')
    dir = parent
  }
}

export function stackSettings(env: Env = process.env): StackSettings {
  const repoRoot = findRepoRoot()
  const kafkaPort = port(env, 'KAFKA_PORT', 9092)
  return {
    repoRoot,
    packageDir,
    stackDir: env['STACK_DIR'] ?? join(repoRoot, '.stack'),
    kafkaPort,
    kafkaControllerPort: port(env, 'KAFKA_CONTROLLER_PORT', kafkaPort + 1),
    registryPort: port(env, 'REGISTRY_PORT', 8081),
    registryManagementPort: port(env, 'REGISTRY_MANAGEMENT_PORT', 9081),
    kafkaHeap: env['KAFKA_HEAP'] ?? '512m',
    registryHeap: env['REGISTRY_HEAP'] ?? '320m',
  }
}

/** Endpoints of the local stack (env overrides: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, REDIS_URL). */
export function stackEndpoints(env: Env = process.env): StackEndpoints {
  const kafkaPort = port(env, 'KAFKA_PORT', 9092)
  const registryPort = port(env, 'REGISTRY_PORT', 8081)
  const brokers = env['KAFKA_BROKERS'] ?? `127.0.0.1:${kafkaPort}`
  return {
    kafkaBrokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
    registryUrl: env['SCHEMA_REGISTRY_URL'] ?? `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    databaseUrl: env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/event_analytics',
    redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  }
}

/** Reads `<name>value</name>` from a pom's <properties>: the poms are the single source of versions. */
export function pomProperty(pomPath: string, name: string): string {
  const text = readFileSync(pomPath, 'utf8')
  const match = new RegExp(`<${name.replace(/\./g, '\\.')}>([^<]+)</`).exec(text)
  if (match?.[1] === undefined) throw new Error(`${pomPath} has no <${name}> property`)
  return match[1].trim()
}

/** host/port of a URL such as postgres://u@h:5432/db, with a default port. */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url)
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1'
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) }
}
