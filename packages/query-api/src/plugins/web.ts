/**
 * The owner's web page (packages/dashboard-web, built by Vite) served at `/` from its build
 * directory. Hashed assets are cached for a year; index.html is revalidated, and carries a
 * strict CSP (the page needs nothing but its own origin). Without a build (a fresh checkout
 * that has not run `pnpm build`), `/` answers a problem+json 404 saying how to build it, and
 * every API route works the same (none depends on the page).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from './problem-details.js'

export interface WebOptions {
  /** The build directory, or null when there is none. */
  root: string | null
}

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

export async function webPage(app: FastifyInstance, options: WebOptions): Promise<void> {
  if (options.root === null) {
    app.log.info('dashboard page not built: `/` answers 404 (pnpm --filter @event-analytics/dashboard-web build)')
    app.get('/', { schema: { hide: true } }, async () => {
      throw new ProblemError(
        404,
        'the dashboard page is not built: run `pnpm --filter @event-analytics/dashboard-web build` (or `pnpm build`)',
      )
    })
    return
  }
  await app.register(fastifyStatic, {
    root: join(options.root, 'assets'),
    prefix: '/assets/',
    // Hashed names: a rebuilt page's new files are served without a restart. Only under
    // /assets/, so the API's own paths never fall into this catch-all (an over-long id must
    // still reach the router and answer 414, not a file lookup).
    wildcard: true,
    // Swagger UI registers its own @fastify/static; the reply decorators are its.
    decorateReply: false,
    setHeaders: (response) => {
      response.header('cache-control', 'public, max-age=31536000, immutable')
      response.header('x-content-type-options', 'nosniff')
    },
  })
  const page = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // Read per request: a rebuilt page is served without a restart (it is a few hundred bytes).
    const html = await readFile(join(options.root as string, 'index.html'))
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html)
  }
  app.get('/', { schema: { hide: true } }, page)
  app.get('/index.html', { schema: { hide: true } }, page)
}
