/**
 * The V8 options every service process runs with, wherever it is started: compose's
 * `x-service-env` (YAML, which says the same; a dev-stack test holds it), `npm start`'s launcher
 * and the bench.
 *
 * - A 4 MB young generation: the workers' peak RSS about 30 MB lower at the same throughput, the
 *   API's less than half with more requests/s.
 * - A 1 GiB old generation. The ingest worker and the API keep about 40 MB alive (measured after
 *   a forced full collection), bounded by their own settings (the ingest worker's pending bytes,
 *   the aggregator's batch, the API's local cache), so the limit is far from anything they hold.
 *   What it changes is how far V8 lets the old generation grow before its next full collection:
 *   up to 4x the live size after the last one when the limit is 2 GiB or more (V8's default with
 *   a few GiB of memory), about 1.6x at 1 GiB. The garbage the scavenges
 *   promote is collected sooner: peak RSS about 95 MB lower for the ingest worker, 80 for the
 *   aggregator, 30 for the API, with the pipeline's CPU per event within its noise (BENCHMARKS.md).
 *   512 MB lowered the peaks a little further and cost the workers about a quarter more CPU.
 *   A service that did reach the limit would crash out of memory; as after any crash, the work it
 *   had not committed is redone and no message is lost.
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=1024'

/** `NODE_OPTIONS` for a service process: the services' options first, so that an operator's own (`own`) win. */
export function serviceNodeOptions(own: string | undefined): string {
  const mine = own?.trim() ?? ''
  return mine === '' ? SERVICE_NODE_OPTIONS : `${SERVICE_NODE_OPTIONS} ${mine}`
}
