/**
 * Strong ETags on analytics responses (routes with `config: { etag: true }`): a hash of the
 * serialized body, so a dashboard that polls gets 304 until a figure changes. A route that
 * already knows its body's tag (cached next to the body) sets the `etag` header itself and
 * the body is not hashed again.
 */
import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    etag?: boolean
  }
}

export function etagOf(payload: string | Buffer): string {
  return `"${createHash('sha256').update(payload).digest('base64url').slice(0, 32)}"`
}

/** If-None-Match: a list of tags or "*"; weak tags compare by their opaque part. */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  const wanted = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''))
  return wanted.includes('*') || wanted.includes(etag)
}

async function etagPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.config.etag !== true || reply.statusCode !== 200) return payload
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
    const known = reply.getHeader('etag')
    const etag = typeof known === 'string' ? known : etagOf(payload)
    reply.header('etag', etag).header('cache-control', 'private, no-cache')
    if (!matches(request.headers['if-none-match'], etag)) return payload
    reply.code(304)
    reply.removeHeader('content-type')
    reply.removeHeader('content-length')
    return ''
  })
}

export const etagPluginFp = fp(etagPlugin, { name: 'etag', fastify: '5.x' })
