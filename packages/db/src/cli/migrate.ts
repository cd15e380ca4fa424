import { pino } from 'pino'
import { redactUrl } from '../admin.js'
import { loadMigrateConfig } from '../migrate-config.js'
import { setupDatabase } from '../migrate.js'

// Entry point of `pnpm migrate`: DATABASE_URL (default: local event_analytics), LOG_LEVEL.
const config = loadMigrateConfig()
const logger = pino({ name: 'db-migrate', level: config.LOG_LEVEL ?? 'info' })

try {
  logger.info({ database: redactUrl(config.DATABASE_URL) }, 'migrating')
  await setupDatabase(config.DATABASE_URL, { logger })
  logger.info('migrate done')
} catch (error) {
  logger.error({ err: error }, 'migrate failed')
  // A failure must be visible even with LOG_LEVEL=silent.
  if (!logger.isLevelEnabled('error')) process.stderr.write(`migrate failed: ${String(error)}\n`)
  process.exitCode = 1
}
