/**
 * docker-compose.yml, checked without a container engine: every application service's
 * environment is loaded by that service's own loader (its schema and cross-field checks), a
 * variable its schema does not know is an error (a misspelling would otherwise be ignored),
 * and every address it would use, defaults included, must name a compose service: 127.0.0.1
 * inside a container is the container itself.
 */
import { aggregatorConfigSchema, loadAggregatorConfig } from '@event-analytics/aggregator'
import { loadMigrateConfig, migrateConfigSchema } from '@event-analytics/db'
import { readComposeEnvironments, type ComposeEnvironment } from '@event-analytics/dev-stack'
import { ingestConfigSchema, loadIngestConfig } from '@event-analytics/ingest-worker'
import { ConfigError, loadConfig, type ServiceConfigSchema } from '@event-analytics/ops'
import { apiConfigSchema, loadApiConfig } from '@event-analytics/query-api'
import { dispatcherConfigSchema, loadDispatcherConfig } from '@event-analytics/webhook-dispatcher'

interface ComposeApplication {
  readonly schema: ServiceConfigSchema
  readonly load: (env: NodeJS.ProcessEnv) => unknown
  /** Variables the command uses, when it uses only some of its schema's (a one-shot tool). */
  readonly reads?: readonly string[]
}

/** Compose services that run this repository's code, by service name. */
export const COMPOSE_APPLICATIONS: Readonly<Record<string, ComposeApplication>> = {
  'ingest-worker': { schema: ingestConfigSchema, load: loadIngestConfig },
  aggregator: { schema: aggregatorConfigSchema, load: loadAggregatorConfig },
  'query-api': { schema: apiConfigSchema, load: loadApiConfig },
  'webhook-dispatcher': { schema: dispatcherConfigSchema, load: loadDispatcherConfig },
  // register-schemas loads the ingest worker's configuration but talks to the registry only.
  'register-schemas': { schema: ingestConfigSchema, load: loadIngestConfig, reads: ['SCHEMA_REGISTRY_URL', 'LOG_LEVEL'] },
  migrate: { schema: migrateConfigSchema, load: loadMigrateConfig },
}

/**
 * Compose services not checked against a schema, each for a reason; a service in neither list
 * is an error, so a new one is classified when it is added.
 */
export const COMPOSE_UNCHECKED: Readonly<Record<string, string>> = {
  kafka: 'infrastructure image, configured by its own variables',
  registry: 'infrastructure image',
  postgres: 'infrastructure image',
  redis: 'infrastructure image',
  cache: 'infrastructure image',
  'provider-sim': 'a simulator standing in for the external providers; its host is checked in dev-stack/test/compose.test.ts',
}

/** Read by Node itself, not by a service's configuration. */
const NODE_VARIABLES = new Set(['NODE_OPTIONS', 'NODE_ENV'])

/** `${VAR}`, `${VAR:?message}`, `${VAR:-default}` as compose would fill them from `shell`. */
export function interpolate(value: string, shell: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?([?-])([^}]*))?\}/g, (_match, name: string, kind?: string, rest?: string) => {
    const set = shell[name]
    if (set !== undefined && set !== '') return set
    if (kind === '-') return rest ?? ''
    throw new Error(`\${${name}} has no value in the check's shell environment`)
  })
}

const hostOf = (text: string): string | undefined => {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return new URL(text).hostname
  return /^([^\s:/]+):\d{1,5}$/.exec(text)?.[1]
}

/** Every host a parsed value names: URLs, host:port lists, Redis node lists. */
function hostsIn(value: unknown): string[] {
  if (typeof value === 'string') return [hostOf(value)].filter((host): host is string => host !== undefined)
  if (Array.isArray(value)) return value.flatMap((item) => hostsIn(item))
  if (typeof value === 'object' && value !== null && 'host' in value) return [String((value as { host: unknown }).host)]
  return []
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/

/** Problems of one application service's environment; none: it would start with the addresses compose gives it. */
export function checkApplication(
  application: ComposeApplication,
  environment: ComposeEnvironment,
  composeServices: readonly string[],
  shell: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = []
  const known = new Set(Object.keys(application.schema.shape))
  const env: Record<string, string> = {}
  for (const [name, raw] of Object.entries(environment)) {
    if (!known.has(name) && !NODE_VARIABLES.has(name))
      problems.push(`${name}: not a variable of ${application.schema.service}'s configuration`)
    try {
      env[name] = interpolate(raw, shell)
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`)
    }
  }
  try {
    application.load(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    problems.push(...error.problems.map((problem) => `${problem.variable}: ${problem.message}`))
    return problems
  }
  const values = loadConfig(application.schema.shape, env) as Record<string, unknown>
  for (const [name, value] of Object.entries(values)) {
    if (application.reads !== undefined && !application.reads.includes(name)) continue
    if (name.endsWith('_HOST')) {
      // A listening interface: loopback would be unreachable from the other containers and the published port.
      if (typeof value === 'string' && LOOPBACK.test(value))
        problems.push(`${name}: listens on ${value}, unreachable from outside its container`)
      continue
    }
    for (const host of hostsIn(value)) {
      if (LOOPBACK.test(host)) problems.push(`${name}: ${host} is the container itself${name in env ? '' : ' (the default)'}`)
      else if (!composeServices.includes(host)) problems.push(`${name}: ${host} is not a compose service`)
    }
  }
  return problems
}

/** Every problem of docker-compose.yml's application environments, as `service: variable: why`. */
export function checkComposeEnvironments(composeText: string, shell: Readonly<Record<string, string>>): string[] {
  const environments = readComposeEnvironments(composeText)
  const names = Object.keys(environments)
  const problems: string[] = []
  for (const [service, environment] of Object.entries(environments)) {
    const application = COMPOSE_APPLICATIONS[service]
    if (application === undefined) {
      if (COMPOSE_UNCHECKED[service] === undefined) problems.push(`${service}: neither checked against a schema nor listed as unchecked`)
      continue
    }
    problems.push(...checkApplication(application, environment, names, shell).map((problem) => `${service}: ${problem}`))
  }
  for (const service of Object.keys(COMPOSE_APPLICATIONS)) {
    if (!(service in environments)) problems.push(`${service}: expected in docker-compose.yml`)
  }
  return problems
}
