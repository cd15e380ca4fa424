/** Entry point: env config, start, bounded graceful shutdown on SIGTERM / SIGINT. */
import { runService, createLogger } from '@event-analytics/ops'
import { loadIngestConfig } from './config.js'
import { createIngestWorker } from './worker.js'

// Validated before anything else runs, the logger's level included.
const config = loadIngestConfig()
const logger = createLogger('ingest-worker', config.LOG_LEVEL)
// A consumer kafkajs will not restart leaves nothing to do here: exit, the orchestrator restarts us.
const worker = createIngestWorker(config, logger, { onFatalError: () => process.exit(1) })
await runService(worker, { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS })
