/**
 * The owner's web page (packages/dashboard-web, built by Vite) served at `/` from its build
 * directory. Hashed assets are cached for a year; index.html is revalidated, and carries a
 * strict CSP (the page needs nothing but its own origin). Without a build (a fresh checkout
 * that has not run `pnpm build`), `/` answers a problem+json 404 saying how to build it, and
 * every API route works as before.
 */
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { ProblemError } from './problem-details.js'

export interface WebOptions {
  /** The build directory, or null when there is none. */
  root: string | null
}

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

export async function webPage(app: FastifyInstance, options: WebOptions): Promise<void> {
  if (options.root === null) {
    app.log.info('dashboard page not built: `/` answers 404 (pnpm --filter @event-analytics/dashboard-web build)')
    app.get('/', { schema: { hide: true } }, async () => {
      throw new ProblemError(404, 'the dashboard page is not built: run `pnpm --filter @event-analytics/dashboard-web build` (or `pnpm build`)')
    })
    return
  }
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/',
    // A catch-all (the API's routes are more specific and win): a rebuilt page is served without a
    // restart, and a path that is no file falls through to the problem+json 404.
    wildcard: true,
    // Swagger UI registers its own @fastify/static; the reply decorators are its.
    decorateReply: false,
    setHeaders: (response, path) => {
      if (path.includes('/assets/')) {
        response.header('cache-control', 'public, max-age=31536000, immutable')
      } else {
        response.header('cache-control', 'no-cache')
        response.header('content-security-policy', CSP)
        response.header('x-content-type-options', 'nosniff')
        response.header('referrer-policy', 'no-referrer')
      }
    },
  })
}
