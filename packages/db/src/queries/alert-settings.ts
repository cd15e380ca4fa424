/**
 * An owner's alert thresholds (docs/SPEC.md section 9a). An owner who never saved any has the
 * defaults, in one place here: the evaluator's SQL and the API both read them from this module.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { AlertSettingsTable, Database } from '../schema/types.js'

/** The settings without their key and timestamp: what an owner chooses. */
export type AlertThresholds = Omit<AlertSettingsTable, 'user_id' | 'updated_at'>

export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = {
  channel_silent_enabled: true,
  channel_silent_hours: 6,
  channel_cost_high_enabled: true,
  channel_cost_factor: '2.00',
  provider_stale_enabled: true,
  provider_stale_minutes: 60,
  pace_low_enabled: true,
  pace_ratio: '0.80',
  roi_projected_low_enabled: true,
}

export interface StoredAlertSettings {
  /** False: the owner saved none, `thresholds` are the defaults. */
  readonly saved: boolean
  readonly thresholds: AlertThresholds
}

/** The owner's thresholds, or the defaults when they saved none. */
export async function readAlertSettings(db: Kysely<Database>, userId: string): Promise<StoredAlertSettings> {
  const row = await db.selectFrom('alert_settings').selectAll().where('user_id', '=', userId).executeTakeFirst()
  if (row === undefined) return { saved: false, thresholds: { ...DEFAULT_ALERT_THRESHOLDS } }
  const { user_id: _user, updated_at: _updated, ...thresholds } = row
  return { saved: true, thresholds }
}

/** Replaces the owner's thresholds (validated by the caller; the table's CHECKs are the backstop). */
export async function writeAlertSettings(db: Kysely<Database>, userId: string, thresholds: AlertThresholds): Promise<StoredAlertSettings> {
  await db
    .insertInto('alert_settings')
    .values({ user_id: userId, ...thresholds })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...thresholds, updated_at: sql`now()` }))
    .execute()
  return readAlertSettings(db, userId)
}

/** `column` of the owner's settings row `alias`, or its default when the owner has none (for joins). */
export function thresholdOrDefault<K extends keyof AlertThresholds>(alias: string, column: K) {
  return sql<AlertThresholds[K]>`coalesce(${sql.ref(`${alias}.${column}`)}, ${DEFAULT_ALERT_THRESHOLDS[column]})`
}
