/**
 * Configuration of the owner-facing parts: browser sessions, live streams and the web page.
 * Kept apart from config.ts (its shape is spread there) so that file only gains three lines.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { doc, env } from '@event-analytics/ops'

export const liveShape = {
  SESSION_SECRET: doc(
    z.string().min(32, 'must be at least 32 characters').optional(),
    'Source of the keys of browser session cookies and one-time login codes (HS256), each derived per purpose, so never the key API tokens are checked with; unset with a JWKS-only setup: sign-in links and cookies are off.',
    { defaultText: "JWT_SECRET's value" },
  ),
  SESSION_TTL_SECONDS: doc(env.integer(8 * 3600, 60, 7 * 24 * 3600), 'Lifetime of a browser session.'),
  STREAM_MAX_PER_OWNER: doc(env.integer(10, 1, 100_000), 'Open live streams one owner may hold on one API instance; past it: 429.'),
  STREAM_HEARTBEAT_MS: doc(
    env.integer(15_000, 100, 600_000),
    'Comment line sent on an idle live stream this often (keeps proxies from closing it).',
    {
      internal: true,
    },
  ),
  DASHBOARD_WEB_DIR: doc(z.string().min(1).optional(), 'Directory of the built dashboard page served at `/`.', {
    defaultText: 'packages/dashboard-web/dist when built, else no page',
  }),
}

export interface LiveConfig {
  /** undefined: no HS256 secret (JWKS-only setup): sign-in links and cookies are off, bearer tokens still work. */
  sessionSecret: string | undefined
  sessionTtlSeconds: number
  changesChannel: string
  streamMaxPerOwner: number
  streamHeartbeatMs: number
  /** Directory of the built page, or null: `/` answers 404; the API routes do not depend on it. */
  webRoot: string | null
}

/** Where the workspace's dashboard-web build lands, seen from src/ or dist/ of this package. */
const BUILT_PAGE = fileURLToPath(new URL('../../../dashboard-web/dist/', import.meta.url))

export function liveConfigFrom(
  raw: z.infer<z.ZodObject<typeof liveShape>> & { readonly CACHE_CHANGES_CHANNEL: string },
  jwtSecret: string | undefined,
): LiveConfig {
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
