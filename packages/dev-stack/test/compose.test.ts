/**
 * docker-compose.yml is not run in CI (no container engine), so it is checked by reading it:
 * its services and wiring here, each service's environment against that service's own
 * configuration schema in packages/e2e/test/compose-environment.test.ts (through
 * readComposeEnvironments, which this file holds to a full YAML parser).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { ComposeReadError, readComposeEnvironments } from '../src/compose.js'
import { pomProperty } from '../src/config.js'

interface ComposeService {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string | number>
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  deploy?: { replicas?: number }
  scale?: number
}

const root = fileURLToPath(new URL('../../..', import.meta.url))
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8')
const compose = parse(composeText, { merge: true }) as {
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
  for (const name of ['kafka', 'registry', 'postgres', 'redis', 'cache', 'migrate', 'register-schemas', 'provider-sim', ...appServices]) {
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
  for (const name of [...appServices, 'migrate', 'register-schemas', 'provider-sim']) {
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
  const ingest = services['ingest-worker']!.environment ?? {}
  t.equal(String(ingest['KAFKA_BROKERS']).split(':')[0], 'kafka', 'ingest-worker -> kafka')
  t.match(String(ingest['SCHEMA_REGISTRY_URL']), /^http:\/\/registry:\d+\/apis\/ccompat\/v7$/, 'ingest-worker -> registry ccompat API')
  for (const name of appServices) {
    const environment = services[name]!.environment ?? {}
    t.match(String(environment['DATABASE_URL']), /@postgres:5432\//, `${name} -> postgres`)
    t.match(String(environment['REDIS_URL']), /^redis:\/\/redis:6379/, `${name} -> redis`)
    // SERVICE_NODE_OPTIONS of packages/ops/src/node-options.ts: the API at V8's default peaked above 400 MB.
    t.equal(
      environment['NODE_OPTIONS'],
      '--max-semi-space-size=4 --max-old-space-size=1024',
      `${name} runs with a 4 MB young generation and a 1 GiB old generation`,
    )
  }
  t.ok(services['ingest-worker']?.depends_on?.['kafka'], 'ingest-worker waits for kafka')
  t.equal(services['aggregator']?.depends_on?.['migrate']?.condition, 'service_completed_successfully', 'aggregator waits for migrations')
})

t.test('the API container listens on its network but has no built-in secret', async (t) => {
  const environment = services['query-api']?.environment ?? {}
  t.equal(environment['API_HOST'], '0.0.0.0', 'the published port must reach it')
  t.match(String(environment['JWT_SECRET']), /^\$\{JWT_SECRET:\?.+\}$/, 'compose refuses to start it without JWT_SECRET')
})

t.test('channel metrics are fetched from a provider that runs in compose', async (t) => {
  const aggregator = services['aggregator']!
  for (const channel of ['TV', 'SNS', 'VOICE']) {
    t.match(String(aggregator.environment?.[`CHANNEL_METRICS_${channel}_URL`]), /^http:\/\/provider-sim:4010\//, channel)
  }
  t.equal(aggregator.depends_on?.['provider-sim']?.condition, 'service_healthy', 'the aggregator waits for it')
  t.equal(services['provider-sim']?.environment?.['PROVIDER_SIM_HOST'], '0.0.0.0', 'reachable from the aggregator container')
})

t.test('the ingest worker has a fixed transactional id and one replica to carry it', async (t) => {
  const ingest = services['ingest-worker']!
  t.match(String(ingest.environment?.['KAFKA_TRANSACTIONAL_ID']), /^\S+$/, 'set, not derived from the container host name')
  t.notOk(ingest.deploy?.replicas ?? ingest.scale, 'replicas would share the id and fence each other')
})

t.test('the strict environment reader reads what a YAML parser reads, and refuses what it does not know', async (t) => {
  const read = readComposeEnvironments(composeText)
  t.same(Object.keys(read).sort(), Object.keys(services).sort(), 'every service')
  for (const [name, service] of Object.entries(services)) {
    const expected = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value)]))
    t.same(read[name], expected, name)
  }
  const refused = {
    list: 'services:\n  a:\n    environment:\n      - A=1\n',
    flow: 'services:\n  a:\n    environment:\n      A: {b: 1}\n',
    block: 'services:\n  a:\n    environment:\n      A: |\n        text\n',
    twice: 'services:\n  a:\n    environment:\n      A: 1\n      A: 2\n',
    alias: 'services:\n  a:\n    environment:\n      <<: *nowhere\n',
    nested: 'services:\n  a:\n    environment:\n      A: 1\n        B: 2\n',
  }
  for (const [name, text] of Object.entries(refused)) t.throws(() => readComposeEnvironments(text), ComposeReadError, name)
  t.same(
    readComposeEnvironments('x: &e\n  A: "1 # not a comment"\n  B: b\nservices:\n  a:\n    environment:\n      B: own\n      <<: *e\n'),
    { a: { A: '1 # not a comment', B: 'own' } },
    'a merge loses to the keys written beside it; quoted # is text',
  )
})
