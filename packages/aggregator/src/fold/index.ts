export { foldBatch, timelineHours, uniqueByMessageId } from './fold-batch.js'
export { compareEventCreated, compareStatusChanges, greaterChannelType, utcHour } from './order.js'
