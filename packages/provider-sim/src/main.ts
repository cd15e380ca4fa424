/** Entry point: `pnpm start` serves the three simulated providers on PROVIDER_SIM_PORT (4010). */
import { createLogger } from '@event-analytics/ops'
import { loadProviderSimConfig } from './config.js'
import { createProviderSim } from './server.js'

const logger = createLogger('provider-sim')
const sim = await createProviderSim({ ...loadProviderSimConfig(), logger })
logger.info({ tv: sim.baseUrl('tv'), sns: sim.baseUrl('sns'), voice: sim.baseUrl('voice') }, 'provider simulator listening')

function shutdown(): void {
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
