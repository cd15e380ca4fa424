export { createDb, closeDb, DEFAULT_DATABASE_URL } from './client.js'
export type { CreateDbOptions } from './client.js'
export { ensureDatabaseExists, dropDatabase, databaseNameOf, withDatabase, redactUrl } from './admin.js'
export { PgErrorCode, pgErrorCode, isDatabaseUnavailable, isConcurrencyConflict, isDataError } from './errors.js'
export { migrateToLatest, ensurePartitionWindow, setupDatabase } from './migrate.js'
export { loadMigrateConfig, migrateConfigSchema } from './migrate-config.js'
export { runDedupeMaintenance } from './maintenance.js'
export type { MaintenanceResult } from './maintenance.js'
export type { MigrateOptions, PartitionWindowOptions } from './migrate.js'
export { migrations, migrationProvider } from './migrations/index.js'
export { ensureTimelinePartitions, ensureTimelinePartitionsFor, TIMELINE_TABLE, TIMELINE_DEFAULT_PARTITION } from './partitions/timeline.js'
export { ensureDedupePartition, dropExpiredDedupePartitions, DEDUPE_TABLE, DEFAULT_DEDUPE_RETENTION_DAYS } from './partitions/dedupe.js'
export { listPartitions } from './partitions/ddl.js'
export type { DdlOptions, DdlLogger } from './partitions/ddl.js'
export {
  timelinePartitionName,
  dedupePartitionName,
  utcDay,
  utcHour,
  utcHourMs,
  utcMonthStart,
  addUtcMonths,
  addDays,
} from './partitions/calendar.js'
export { claimMessages, countClaimedMessages, findClaimedMessageIds, MAX_MESSAGE_ID_LENGTH } from './dedupe/claim.js'
export type { ClaimOptions } from './dedupe/claim.js'
export { rollDedupeEpoch } from './dedupe/epoch.js'
export type { RollResult } from './dedupe/epoch.js'
export type * from './schema/types.js'
export { upsertBatchDeltas } from './queries/apply-batch.js'
export type {
  BatchWriteModel,
  EventDelta,
  ChannelDelta,
  TimelineDelta,
  EventCreatedFields,
  StatusChange,
  AppliedEvent,
  ApplyBatchResult,
} from './queries/apply-batch.js'
export { readVisibleEvent, readEventChannels, readEventChannel } from './queries/read-dashboard.js'
export { readTimeline, readTimelineSpan } from './queries/read-timeline.js'
export type { TimelineQuery, TimelineUnit, TimelineBucketRow, TimelineSpan } from './queries/read-timeline.js'
export { readUserEvents, readUserTotals, readUserChannelTypeTotals } from './queries/read-user-summary.js'
export type { ChannelTypeTotalsRow, UserTotalsRow } from './queries/read-user-summary.js'
export { refreshEventFigures } from './queries/event-figures.js'
export { pingDatabase } from './queries/ping.js'
export { readTimeZoneNames } from './queries/time-zones.js'
export { readEventOwners } from './queries/read-owners.js'
export { storeChannelSnapshot, listRefreshTargets } from './queries/apply-snapshot.js'
export type { ChannelSnapshot, StoredChannelMetrics, SnapshotCheck, RefreshTarget, ApplySnapshotResult } from './queries/apply-snapshot.js'
export { recordProviderHealth, readProviderHealth } from './queries/provider-health.js'
export { recordSettledJobs, readSettledJobs, pruneSettledJobs, WHOLE_JOB_OFFSET } from './queries/settled-jobs.js'
export type { ApplyFailure, SettledJob } from './queries/settled-jobs.js'
export { recordCommittedOffsets, readCommittedOffset } from './queries/partition-progress.js'
export type { PartitionOffset } from './queries/partition-progress.js'
export { computePacing, recentWindow, PACING_RECENT_HOURS } from './pacing/pacing.js'
export type {
  PacingInput,
  PacingResult,
  PacingFigures,
  PacingPhase,
  PacingUnavailable,
  PacingUnavailableReason,
  HourlyParticipants,
  RecentHourlyRate,
  ProjectedParticipants,
} from './pacing/pacing.js'
export { readEventPacing } from './queries/read-pacing.js'
export type { EventPacing, EventPacingResult, ProjectedRoi } from './queries/read-pacing.js'
export { DEFAULT_ALERT_THRESHOLDS, readAlertSettings, writeAlertSettings } from './queries/alert-settings.js'
export type { AlertThresholds, StoredAlertSettings } from './queries/alert-settings.js'
export {
  lockAlertEvaluation,
  listAlertEvaluationTargets,
  readOpenAlerts,
  openAlert,
  resolveAlert,
  readEventAlerts,
  readAlertTransitions,
} from './queries/alerts.js'
export type { AlertFinding } from './queries/alerts.js'
export { readAlertFacts } from './queries/alert-facts.js'
export type { AlertEventFacts, AlertChannelFacts } from './queries/alert-facts.js'
export { auditAlerts, type AlertAudit } from './queries/alert-audit.js'
export { createWebhookEndpoint, listWebhookEndpoints, countWebhookEndpoints, deleteWebhookEndpoint } from './queries/webhook-endpoints.js'
export type { WebhookEndpoint, NewWebhookEndpoint } from './queries/webhook-endpoints.js'
export {
  dispatchAlertTransitions,
  listPendingDeliveries,
  leaseDelivery,
  recordDelivered,
  recordAttemptFailed,
  readDeliveryLog,
  auditWebhookDeliveries,
} from './queries/webhook-deliveries.js'
export type { PendingDelivery, LeasedDelivery, AttemptOutcome, DeliveryLogRow, WebhookAudit } from './queries/webhook-deliveries.js'
export { appendRegistrations, readOwnersEvents } from './queries/apply-participations.js'
export type { ParticipationDelta } from './queries/apply-participations.js'
export { foldRegistrations } from './queries/fold-registrations.js'
export type { FoldOptions, FoldResult } from './queries/fold-registrations.js'
export {
  readCostPerNewParticipant,
  readEventReturning,
  readReturningAsOf,
  readReturningVersion,
  readOwnerReturningVersion,
  readUserEventsReturning,
} from './queries/read-returning.js'
export type { EventReturningRow, ReturningChannelRow, OwnerEventReturningRow, OwnerReturning } from './queries/read-returning.js'
export {
  PUBLIC_SET,
  SET_TABLES,
  SET_BOUND_FUNCTIONS,
  assertSetName,
  searchPathOf,
  rebuildSetName,
  createProjectionSet,
  listProjectionSets,
  markProjectionSet,
  dropProjectionSet,
  setShapeDifferences,
  withLiveSet,
  readLiveSet,
  lockSetLiveness,
  switchLiveSet,
  adoptProviderMetrics,
  assertProjectionSet,
  compareProjectionSets,
} from './sets/index.js'
export type { ProjectionSet, CreateSetOptions, SwitchResult, SetComparison, EventDifference, FigureDifference } from './sets/index.js'
