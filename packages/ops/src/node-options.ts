/**
 * The V8 options every service process runs with, wherever it is started: compose's
 * `x-service-env` (YAML, which says the same; a dev-stack test holds it), `npm start`'s launcher
 * and the bench. A 4 MB young generation: the workers' peak RSS about 30 MB lower at the same
 * throughput, the API's less than half with more requests/s (BENCHMARKS.md).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4'

/** `NODE_OPTIONS` for a service process: the services' options first, so that an operator's own (`own`) win. */
export function serviceNodeOptions(own: string | undefined): string {
  const mine = own?.trim() ?? ''
  return mine === '' ? SERVICE_NODE_OPTIONS : `${SERVICE_NODE_OPTIONS} ${mine}`
}
