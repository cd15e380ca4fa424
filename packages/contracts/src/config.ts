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
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
}
