import { pino } from 'pino'
import { redactUrl } from '../admin.js'
import { DEFAULT_DATABASE_URL } from '../client.js'
import { setupDatabase } from '../migrate.js'

// Entry point of `pnpm migrate`: DATABASE_URL (default: local event_analytics), LOG_LEVEL.
const logger = pino({ name: 'db-migrate', level: process.env.LOG_LEVEL ?? 'info' })
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL

try {
  logger.info({ database: redactUrl(url) }, 'migrating')
  await setupDatabase(url, { logger })
  logger.info('migrate done')
} catch (error) {
  logger.error({ err: error }, 'migrate failed')
  // A failure must be visible even with LOG_LEVEL=silent.
  if (!logger.isLevelEnabled('error')) process.stderr.write(`migrate failed: ${String(error)}\n`)
  process.exitCode = 1
}
