/**
 * docker-compose.yml cannot run here (no Docker engine), so its services and wiring are
 * checked by reading it; `docker compose config` runs too where Docker Compose exists.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { parse } from 'yaml'
import { pomProperty } from '../src/config.js'

interface ComposeService {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string | number>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
}

const root = fileURLToPath(new URL('../../..', import.meta.url))
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
}
const services = compose.services
const appServices = ['ingest-worker', 'aggregator', 'query-api']

t.test('Kafka and the registry run the versions of the local stack (one place: the Maven poms)', async (t) => {
  const kafka = pomProperty(join(root, 'packages/dev-stack/maven/kafka/pom.xml'), 'kafka.version')
  const registry = pomProperty(join(root, 'packages/dev-stack/maven/registry/pom.xml'), 'apicurio.version')
  t.equal(services['kafka']?.image, `apache/kafka:${kafka}`)
  t.equal(services['registry']?.image, `apicurio/apicurio-registry:${registry}`)
})

t.test('every component of the system is a service', async (t) => {
  for (const name of ['kafka', 'registry', 'postgres', 'redis', 'cache', 'migrate', 'register-schemas', ...appServices]) {
    t.ok(services[name], `service ${name}`)
  }
})

t.test('infrastructure: Kafka in KRaft mode, Redis with AOF, health checks', async (t) => {
  t.match(String(services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']), /controller/, 'KRaft: the broker is its own controller')
  t.match(services['redis']?.command?.join(' '), /--appendonly yes/, 'Redis persists with AOF')
  for (const name of ['kafka', 'registry', 'postgres', 'redis', 'cache', ...appServices]) {
    t.ok(services[name]?.healthcheck?.test?.length, `${name} has a health check`)
  }
})

t.test('the cache has a Redis of its own: bounded, evicting, not persisted; the queue Redis is not it', async (t) => {
  const command = services['cache']?.command?.join(' ') ?? ''
  t.match(command, /--maxmemory \d+[kmg]b/, 'bounded memory')
  t.match(command, /--maxmemory-policy allkeys-lru/, 'least recently used keys evicted')
  t.match(command, /--appendonly no/, 'nothing persisted')
  t.notMatch(services['redis']?.command?.join(' ') ?? '', /maxmemory-policy/, 'the queue Redis keeps the default noeviction')
  for (const name of ['aggregator', 'query-api']) {
    t.equal(services[name]?.environment?.['CACHE_REDIS_URL'], 'redis://cache:6379', `${name} caches in it`)
    t.equal(services[name]?.depends_on?.['cache']?.condition, 'service_healthy', `${name} waits for it`)
  }
  t.notOk(services['ingest-worker']?.environment?.['CACHE_REDIS_URL'], 'the ingest worker has no cache')
})

t.test('the services are built from the Dockerfile and run built entry points that exist', async (t) => {
  t.ok(existsSync(join(root, 'Dockerfile')))
  for (const name of [...appServices, 'migrate', 'register-schemas']) {
    const service = services[name]!
    t.equal(service.build, '.', `${name} builds from ./Dockerfile`)
    const entry = service.command?.find((part) => part.endsWith('.js'))
    t.ok(entry, `${name} runs a built file`)
    const source = entry!.replace('/dist/', '/src/').replace(/\.js$/, '.ts')
    t.ok(existsSync(join(root, source)), `${source} exists`)
  }
})

t.test('wiring: dependencies exist and are waited for, addresses name real services', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      t.ok(services[dependency], `${name} depends on existing ${dependency}`)
      t.match(condition, /^service_(healthy|completed_successfully)$/, `${name} waits for ${dependency}`)
    }
  }
  for (const name of appServices) {
    const environment = services[name]!.environment ?? {}
    t.equal(String(environment['KAFKA_BROKERS']).split(':')[0], 'kafka', `${name} -> kafka`)
    t.match(String(environment['SCHEMA_REGISTRY_URL']), /^http:\/\/registry:\d+\/apis\/ccompat\/v7$/, `${name} -> registry ccompat API`)
    t.match(String(environment['DATABASE_URL']), /@postgres:5432\//, `${name} -> postgres`)
    t.match(String(environment['REDIS_URL']), /^redis:\/\/redis:6379/, `${name} -> redis`)
  }
  t.ok(services['ingest-worker']?.depends_on?.['kafka'], 'ingest-worker waits for kafka')
  t.equal(services['aggregator']?.depends_on?.['migrate']?.condition, 'service_completed_successfully', 'aggregator waits for migrations')
})

t.test('the API container listens on its network but has no built-in secret', async (t) => {
  const environment = services['query-api']?.environment ?? {}
  t.equal(environment['API_HOST'], '0.0.0.0', 'the published port must reach it')
  t.match(String(environment['JWT_SECRET']), /^\$\{JWT_SECRET:\?.+\}$/, 'compose refuses to start it without JWT_SECRET')
})

t.test('docker compose config accepts the file where Docker Compose is installed', async (t) => {
  const run = promisify(execFile)
  const available = await run('docker', ['compose', 'version']).then(
    () => true,
    () => false,
  )
  if (!available) {
    t.pass('docker compose is not installed here; the structural checks above stand in')
    return
  }
  const env = { ...process.env, JWT_SECRET: 'compose-config-check-0123456789-0123456789' }
  const { stdout } = await run('docker', ['compose', '-f', join(root, 'docker-compose.yml'), 'config', '--quiet'], { env })
  t.equal(stdout.trim(), '')
})
