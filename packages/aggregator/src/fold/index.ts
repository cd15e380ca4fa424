export { foldBatch, timelineHours, uniqueByMessageId } from './fold-batch.js'
export { compareEventCreated, compareStatusChanges, greaterChannelType } from './order.js'
