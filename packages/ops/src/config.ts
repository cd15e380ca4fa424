/**
 * Configuration comes only from environment variables, validated once at start.
 * Every problem is reported at once, each naming its variable.
 */
import { z } from 'zod'

export class ConfigError extends Error {
  override name = 'ConfigError'
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

export function loadConfig<Shape extends EnvShape>(shape: Shape, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`)
}

/** Reusable field parsers for environment strings. */
export const env = {
  string: (fallback: string) => z.string().min(1).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  /** A URL whose default is another variable's value: resolved by the caller (`?? raw.OTHER`). */
  optionalUrl: () => z.url().optional(),
  integer: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
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
