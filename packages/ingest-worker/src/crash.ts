/**
 * kafkajs restarts its consumer only after retriable errors; after any other crash (e.g.
 * KafkaJSGroupCoordinatorNotFound right after a broker restart, or a batch that kept failing
 * past its retries) the consumer leaves the group and stays stopped while the process, its
 * admin client and /ready look healthy — consumption stalls silently. Found by packages/chaos
 * (Kafka broker restart). The worker turns such a crash into a failing readiness check and a
 * fatal callback (main.ts exits, so the orchestrator restarts the worker; offsets and dead
 * letters are transactional, so the replay is safe).
 */

export interface CrashEvent {
  readonly payload: { readonly error: Error; readonly restart: boolean }
}

/** The part of a kafkajs Consumer this needs (a fake in tests). */
export interface CrashSource {
  readonly events: { readonly CRASH: string }
  on(event: string, listener: (event: CrashEvent) => void): unknown
}

export interface CrashWatch {
  /** The crash kafkajs will not recover from, once it happened. */
  fatal(): Error | undefined
}

export function watchConsumerCrash(consumer: CrashSource, onFatal: (error: Error) => void): CrashWatch {
  let fatal: Error | undefined
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart) return
    fatal = event.payload.error
    onFatal(event.payload.error)
  })
  return { fatal: () => fatal }
}
