/** Puts deliveries on the queue, one job per delivery under its own id: adding one that has a job is a no-op. */
import { webhookDeliveryJobId, type WebhookDeliveryJob } from '@event-analytics/contracts'
import type { PendingDelivery } from '@event-analytics/db'
import type { Queue } from 'bullmq'

export async function enqueueDeliveries(
  queue: Queue<WebhookDeliveryJob>,
  deliveries: readonly PendingDelivery[],
  now: Date,
): Promise<void> {
  if (deliveries.length === 0) return
  await queue.addBulk(
    deliveries.map((delivery) => ({
      name: 'deliver',
      data: { deliveryId: delivery.id },
      opts: {
        jobId: webhookDeliveryJobId(delivery.id),
        // Due when the row says: a sweep after a lost Redis keeps the backoff.
        delay: Math.max(0, delivery.nextAttemptAt.getTime() - now.getTime()),
        // PostgreSQL keeps the outcome; a finished job only has to free its id.
        removeOnComplete: true,
        removeOnFail: true,
        // Infrastructure failures (PostgreSQL away); a receiver's failure is scheduled by the row.
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
      },
    })),
  )
}
