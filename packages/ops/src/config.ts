/**
 * Configuration comes only from environment variables, validated once at start.
 * Every problem is reported at once, each naming its variable: the field errors and the
 * checks across fields (two variables that exclude each other, a value only valid with
 * another) together, so an operator fixes a deployment in one round.
 */
import { z } from 'zod'

/** One thing wrong with the environment: the variable(s) it is about and why. */
export interface ConfigProblem {
  readonly variable: string
  readonly message: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`)
    this.problems = problems
  }
}

/** The local stack's Redis: the default of every service's REDIS_URL (and so of CACHE_REDIS_URL). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** One node of a Redis Cluster, as named in `REDIS_CLUSTER_NODES` (redis-connection.ts). */
export interface RedisNode {
  readonly host: string
  readonly port: number
}

const redisNode = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, 'each node must be host:port')
  .transform((text): RedisNode => {
    const at = text.lastIndexOf(':')
    return { host: text.slice(0, at), port: Number(text.slice(at + 1)) }
  })
  .refine((node) => node.port >= 1 && node.port <= 65535, 'port must be 1..65535')

export type EnvShape = Record<string, z.ZodType>

/** What a shape's variables parse to. */
export type ConfigValues<Shape extends EnvShape> = z.infer<z.ZodObject<Shape>>

/**
 * A check across variables. It sees the values that parsed (a variable that failed its own
 * parser is absent) and the raw environment, so it still runs when fields are bad and its
 * problems join theirs in the one ConfigError.
 */
export type CrossCheck<Shape extends EnvShape> = (
  values: Partial<ConfigValues<Shape>>,
  source: NodeJS.ProcessEnv,
) => readonly ConfigProblem[]

export function loadConfig<Shape extends EnvShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
  checks: readonly CrossCheck<Shape>[] = [],
): ConfigValues<Shape> {
  const values: Record<string, unknown> = {}
  const problems: ConfigProblem[] = []
  for (const [name, schema] of Object.entries(shape)) {
    const result = schema.safeParse(source[name])
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ variable: [name, ...issue.path].join('.'), message: issue.message })
    } else if (result.data !== undefined) {
      values[name] = result.data
    }
  }
  const parsed = values as Partial<ConfigValues<Shape>>
  for (const check of checks) problems.push(...check(parsed, source))
  if (problems.length > 0) throw new ConfigError(problems)
  return values as ConfigValues<Shape>
}

/** Who is meant to set a variable: a deployment, or nobody but tests and tuning sessions. */
export type VariableAudience = 'operator' | 'internal'

/** What docs/configuration.md says of a variable; carried by its schema (`doc`). */
export interface VariableDoc {
  readonly description: string
  readonly audience: VariableAudience
  /** The default in words, when it is not a fixed value (another variable's, the host's name). */
  readonly defaultText?: string
}

/** The docs of every documented variable schema (`doc` puts them here). */
export const variableDocs = z.registry<VariableDoc>()

/**
 * `schema` with its documentation: the one place a variable's meaning is written; the
 * configuration reference is generated from it. A copy is documented, so a parser shared by
 * two variables keeps one description per variable.
 */
export function doc<T extends z.ZodType>(
  schema: T,
  description: string,
  options: { readonly internal?: boolean; readonly defaultText?: string } = {},
): T {
  const documented = schema.clone() as T
  variableDocs.add(documented, {
    description,
    audience: options.internal === true ? 'internal' : 'operator',
    ...(options.defaultText === undefined ? {} : { defaultText: options.defaultText }),
  })
  return documented
}

/** Reusable field parsers for environment strings. */
export const env = {
  string: (fallback: string) => z.string().min(1).default(fallback),
  optionalString: () => z.string().min(1).optional(),
  url: (fallback: string) => z.url().default(fallback),
  /** A URL whose default is another variable's value: resolved by the caller (`?? raw.OTHER`). */
  optionalUrl: () => z.url().optional(),
  integer: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** One of a fixed set of words. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) => z.enum(values).default(fallback),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      ),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  /** Seed nodes of a Redis Cluster, `host:port,host:port`; unset or empty: undefined (no cluster). */
  redisNodes: () =>
    z
      .string()
      .optional()
      .transform((value) =>
        (value ?? '')
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      )
      .pipe(z.array(redisNode))
      .transform((nodes) => (nodes.length === 0 ? undefined : nodes)),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
}
