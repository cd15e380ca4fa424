export { foldBatch, timelineHours, uniqueByMessageId, withIngestReadAt } from './fold-batch.js'
export { compareEventCreated, compareStatusChanges, earlierRegistration, greaterChannelType } from './order.js'
