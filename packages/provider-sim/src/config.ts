import { env, loadConfig } from '@event-analytics/ops'
import { z } from 'zod'
import type { ProviderSimOptions } from './server.js'

const shape = {
  PROVIDER_SIM_PORT: env.port(4010),
  PROVIDER_SIM_HOST: env.string('127.0.0.1'),
  PROVIDER_SIM_LATENCY_MS: env.integer(50, 0, 600_000),
  PROVIDER_SIM_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  PROVIDER_SIM_OUTAGE: env.boolean(false),
  PROVIDER_SIM_MODE: env.oneOf(['time', 'participants'], 'participants'),
}

/** Environment defaults of the knobs (every provider); POST /admin/knobs changes them at runtime. */
export function loadProviderSimConfig(source: NodeJS.ProcessEnv = process.env): ProviderSimOptions {
  const raw = loadConfig(shape, source)
  return {
    port: raw.PROVIDER_SIM_PORT,
    host: raw.PROVIDER_SIM_HOST,
    mode: raw.PROVIDER_SIM_MODE,
    knobs: { latencyMs: raw.PROVIDER_SIM_LATENCY_MS, errorRate: raw.PROVIDER_SIM_ERROR_RATE, outage: raw.PROVIDER_SIM_OUTAGE },
  }
}
