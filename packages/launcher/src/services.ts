/**
 * What `npm start` runs, as data: each child's package, script, readiness URL and colour.
 * Children run their package's own script command directly (not through pnpm), so a
 * signal reaches the service itself and its graceful shutdown runs.
 */
export type Colour = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'gray'

export interface ServiceSpec {
  readonly name: string
  /** Package directory under packages/. */
  readonly packageDir: string
  readonly script: string
  readonly args: readonly string[]
  /** Answers 2xx once the service can work; null: started is enough. */
  readonly readyUrl: string | null
  readonly colour: Colour
  /** Skipped with a message when its package is missing (built by another team). */
  readonly optional: boolean
}

export interface LaunchSettings {
  readonly apiPort: number
  readonly ingestOpsPort: number
  readonly aggregatorOpsPort: number
  readonly webhookOpsPort: number
  readonly providerSimPort: number
  readonly simulatorRate: number
  /** Fixed per run so the banner can name the simulated owners and events. */
  readonly simulatorSeed: number
}

export const DEFAULT_SETTINGS: LaunchSettings = {
  apiPort: 3000,
  ingestOpsPort: 9101,
  aggregatorOpsPort: 9102,
  webhookOpsPort: 9103,
  providerSimPort: 4010,
  simulatorRate: 20,
  simulatorSeed: 1,
}

/** In start order; they are stopped in the reverse order. */
export function serviceSpecs(settings: LaunchSettings): ServiceSpec[] {
  const local = (port: number, path: string): string => `http://127.0.0.1:${port}${path}`
  return [
    {
      name: 'provider-sim',
      packageDir: 'provider-sim',
      script: 'start',
      args: [],
      readyUrl: local(settings.providerSimPort, '/health'),
      colour: 'blue',
      optional: true,
    },
    {
      name: 'ingest',
      packageDir: 'ingest-worker',
      script: 'start',
      args: [],
      readyUrl: local(settings.ingestOpsPort, '/ready'),
      colour: 'cyan',
      optional: false,
    },
    {
      name: 'aggregator',
      packageDir: 'aggregator',
      script: 'start',
      args: [],
      readyUrl: local(settings.aggregatorOpsPort, '/ready'),
      colour: 'magenta',
      optional: false,
    },
    {
      name: 'api',
      packageDir: 'query-api',
      script: 'start',
      args: [],
      readyUrl: local(settings.apiPort, '/ready'),
      colour: 'green',
      optional: false,
    },
    {
      name: 'webhooks',
      packageDir: 'webhook-dispatcher',
      script: 'start',
      args: [],
      readyUrl: local(settings.webhookOpsPort, '/ready'),
      colour: 'gray',
      optional: false,
    },
    {
      name: 'simulator',
      packageDir: 'simulator',
      script: 'simulate',
      args: ['--rate', String(settings.simulatorRate), '--seed', String(settings.simulatorSeed)],
      readyUrl: null,
      colour: 'yellow',
      optional: false,
    },
  ]
}

/** The one-shot step before the services: the project's schemas in the registry. */
export const REGISTER_SCHEMAS: ServiceSpec = {
  name: 'schemas',
  packageDir: 'ingest-worker',
  script: 'register-schemas',
  args: [],
  readyUrl: null,
  colour: 'gray',
  optional: false,
}

export class ScriptError extends Error {
  override name = 'ScriptError'
}

/**
 * Turns a package script such as `tsx --conditions=x src/main.ts` into an executable of the
 * package's node_modules/.bin and its arguments. Only plain commands are supported (no
 * shell operators): that is what the services' scripts are, and it keeps signals direct.
 */
export function commandOf(script: string, extraArgs: readonly string[]): { bin: string; args: string[] } {
  if (/[|&;<>()$`"'\\]/.test(script)) throw new ScriptError(`script "${script}" needs a shell; only plain commands can be launched`)
  const [bin, ...args] = script.trim().split(/\s+/)
  if (bin === undefined || bin === '') throw new ScriptError('empty script')
  return { bin, args: [...args, ...extraArgs] }
}
