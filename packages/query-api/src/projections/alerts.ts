import type { AlertRow, AlertThresholds as StoredThresholds, StoredAlertSettings } from '@event-analytics/db'
import type { Alert, AlertSettings, AlertThresholds } from '../wire/schemas.js'

export function alertBody(row: AlertRow): Alert {
  return {
    id: row.id,
    rule: row.rule,
    channelName: row.channel_name,
    state: row.state,
    openedAt: row.opened_at.toISOString(),
    resolvedAt: row.resolved_at === null ? null : row.resolved_at.toISOString(),
    details: row.details,
  }
}

export function alertSettingsBody(userId: string, stored: StoredAlertSettings): AlertSettings {
  const t = stored.thresholds
  return {
    userId,
    saved: stored.saved,
    thresholds: {
      channelSilentEnabled: t.channel_silent_enabled,
      channelSilentHours: t.channel_silent_hours,
      channelCostHighEnabled: t.channel_cost_high_enabled,
      channelCostFactor: t.channel_cost_factor,
      providerStaleEnabled: t.provider_stale_enabled,
      providerStaleMinutes: t.provider_stale_minutes,
      paceLowEnabled: t.pace_low_enabled,
      paceRatio: t.pace_ratio,
      roiProjectedLowEnabled: t.roi_projected_low_enabled,
    },
  }
}

export function storedThresholds(body: AlertThresholds): StoredThresholds {
  return {
    channel_silent_enabled: body.channelSilentEnabled,
    channel_silent_hours: body.channelSilentHours,
    channel_cost_high_enabled: body.channelCostHighEnabled,
    channel_cost_factor: body.channelCostFactor,
    provider_stale_enabled: body.providerStaleEnabled,
    provider_stale_minutes: body.providerStaleMinutes,
    pace_low_enabled: body.paceLowEnabled,
    pace_ratio: body.paceRatio,
    roi_projected_low_enabled: body.roiProjectedLowEnabled,
  }
}
