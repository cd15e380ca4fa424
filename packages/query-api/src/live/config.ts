/**
 * Configuration of the owner-facing parts: browser sessions, live streams and the web page.
 * Kept apart from config.ts (its shape is spread there) so that file only gains three lines.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { DEFAULT_CHANGES_CHANNEL } from '@event-analytics/contracts'
import { env } from '@event-analytics/ops'

export const liveShape = {
  /** Signs browser session cookies and one-time login codes (HS256); default JWT_SECRET. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_SECONDS: env.integer(8 * 3600, 60, 7 * 24 * 3600),
  /** Pub/sub channel the aggregator announces changed events on (same value as the aggregator's). */
  CACHE_CHANGES_CHANNEL: env.string(DEFAULT_CHANGES_CHANNEL),
  /** Open streams one owner may hold on one API instance; past it: 429. */
  STREAM_MAX_PER_OWNER: env.integer(10, 1, 100_000),
  STREAM_HEARTBEAT_MS: env.integer(15_000, 100, 600_000),
  /** The built page (packages/dashboard-web/dist); unset: that build when it exists, else no page. */
  DASHBOARD_WEB_DIR: z.string().min(1).optional(),
}

export interface LiveConfig {
  /** undefined: no HS256 secret (JWKS-only setup): sign-in links and cookies are off, bearer tokens still work. */
  sessionSecret: string | undefined
  sessionTtlSeconds: number
  changesChannel: string
  streamMaxPerOwner: number
  streamHeartbeatMs: number
  /** Directory of the built page, or null: `/` answers 404 and the API works as before. */
  webRoot: string | null
}

/** Where the workspace's dashboard-web build lands, seen from src/ or dist/ of this package. */
const BUILT_PAGE = fileURLToPath(new URL('../../../dashboard-web/dist/', import.meta.url))

export function liveConfigFrom(raw: z.infer<z.ZodObject<typeof liveShape>>, jwtSecret: string | undefined): LiveConfig {
  const webRoot = raw.DASHBOARD_WEB_DIR ?? BUILT_PAGE
  return {
    sessionSecret: raw.SESSION_SECRET ?? jwtSecret,
    sessionTtlSeconds: raw.SESSION_TTL_SECONDS,
    changesChannel: raw.CACHE_CHANGES_CHANNEL,
    streamMaxPerOwner: raw.STREAM_MAX_PER_OWNER,
    streamHeartbeatMs: raw.STREAM_HEARTBEAT_MS,
    webRoot: existsSync(`${webRoot}/index.html`) ? webRoot : null,
  }
}
