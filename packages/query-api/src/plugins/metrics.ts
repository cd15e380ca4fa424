/**
 * Serves the metrics (src/metrics.ts) on the API port at `/metrics` and times every request by
 * route pattern.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ApiMetrics } from '../metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics
  }
}

async function metricsPlugin(app: FastifyInstance, options: { metrics: ApiMetrics }): Promise<void> {
  const { metrics } = options
  app.decorate('metrics', metrics)
  // One labelled child per (method, route pattern, status), looked up by a flat key: a request
  // does not hash a label object. Bounded: Node's parser knows ~35 methods, routes are patterns.
  const children = new Map<string, { observe(value: number): void }>()
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in label values would explode cardinality.
    const route = request.routeOptions.url ?? 'unmatched'
    const name = `${request.method} ${reply.statusCode} ${route}`
    let child = children.get(name)
    if (child === undefined) {
      child = metrics.requestDuration.labels({ method: request.method, route, status_code: String(reply.statusCode) })
      children.set(name, child)
    }
    child.observe(reply.elapsedTime / 1000)
  })
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store')
    return metrics.registry.metrics()
  })
}

export const metricsPluginFp = fp(metricsPlugin, { name: 'metrics', fastify: '5.x' })
