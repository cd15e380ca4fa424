import { createLogger } from '@event-analytics/contracts'
import { loadIngestConfig } from './config.js'
import { createIngestWorker } from './worker.js'

const logger = createLogger('ingest-worker')
// A consumer kafkajs will not restart leaves nothing to do here: exit, the orchestrator restarts us.
const worker = createIngestWorker(loadIngestConfig(), logger, { onFatalError: () => process.exit(1) })

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down')
  await worker.stop()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))

await worker.start()
