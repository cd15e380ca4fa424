import { doc, env, loadConfig, processVariables, type ServiceConfigSchema } from '@event-analytics/ops'
import { DEFAULT_DATABASE_URL } from './client.js'

/** `pnpm migrate` (and compose's migrate service): which database, how much it logs. */
export const migrateConfigSchema = {
  service: 'migrate',
  shape: {
    DATABASE_URL: doc(env.url(DEFAULT_DATABASE_URL), 'The database to create (when missing) and migrate.'),
    LOG_LEVEL: processVariables.LOG_LEVEL,
  },
} satisfies ServiceConfigSchema

export function loadMigrateConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(migrateConfigSchema.shape, source)
}
