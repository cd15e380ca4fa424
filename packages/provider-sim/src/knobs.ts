/** Runtime knobs of each simulated provider, and the pure validation of a knob update. */

export const PROVIDERS = ['tv', 'sns', 'voice'] as const
export type ProviderName = (typeof PROVIDERS)[number]

export interface Knobs {
  /** Added before every answer. */
  latencyMs: number
  /** Probability (0..1) of answering 500. */
  errorRate: number
  /** Answer 503 to everything. */
  outage: boolean
  /** Fields forced into every answer (chaos: backwards counters, broken rules, bad asOf). */
  override: Record<string, unknown> | null
}

export type KnobTable = Record<ProviderName, Knobs>

export interface KnobUpdate {
  /** Omitted: every provider. */
  provider?: ProviderName
  latencyMs?: number
  errorRate?: number
  outage?: boolean
  override?: Record<string, unknown> | null
}

export function isProvider(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value)
}

export function knobTable(defaults: Knobs): KnobTable {
  return { tv: { ...defaults }, sns: { ...defaults }, voice: { ...defaults } }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses a POST /admin/knobs body; throws a message naming the bad field. */
export function parseKnobUpdate(body: unknown): KnobUpdate {
  if (!isRecord(body)) throw new Error('body must be a JSON object')
  const update: KnobUpdate = {}
  const { provider, latencyMs, errorRate, outage, override } = body
  if (provider !== undefined) {
    if (typeof provider !== 'string' || !isProvider(provider.toLowerCase())) throw new Error('provider must be tv, sns or voice')
    update.provider = provider.toLowerCase() as ProviderName
  }
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0) throw new Error('latencyMs must be an integer >= 0')
    update.latencyMs = latencyMs
  }
  if (errorRate !== undefined) {
    if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) throw new Error('errorRate must be within 0..1')
    update.errorRate = errorRate
  }
  if (outage !== undefined) {
    if (typeof outage !== 'boolean') throw new Error('outage must be a boolean')
    update.outage = outage
  }
  if (override !== undefined) {
    if (override !== null && !isRecord(override)) throw new Error('override must be an object or null')
    update.override = override
  }
  return update
}

/** Applies `update` to the table (one provider or all); returns the new table. */
export function applyKnobUpdate(table: KnobTable, update: KnobUpdate): KnobTable {
  const { provider, ...changes } = update
  const next = { ...table }
  for (const name of provider === undefined ? PROVIDERS : [provider]) next[name] = { ...table[name], ...changes }
  return next
}
