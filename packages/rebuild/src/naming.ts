/**
 * What a rebuild's pipeline is called, derived from the live pipeline's names and the set, so every
 * tool (run, status, switch, the printed deployment environment) finds the same group, queue and
 * topic without a registry of its own.
 */
import { rebuildDeadLetterTopic } from '@event-analytics/contracts'

export interface LiveNames {
  /** The live ingest group (KAFKA_GROUP_ID). */
  readonly groupId: string
  /** The live BullMQ prefix (BULLMQ_PREFIX). */
  readonly queuePrefix: string
  /** The live dead-letter topic (TOPIC_DEAD_LETTER). */
  readonly deadLetterTopic: string
  /** The live transactional id (KAFKA_TRANSACTIONAL_ID). */
  readonly transactionalId: string
}

export interface RebuildNames {
  readonly set: string
  readonly groupId: string
  readonly queuePrefix: string
  readonly deadLetterTopic: string
  readonly transactionalId: string
}

/** Where a rebuild's dead letters go: `rebuild` (default, a topic of their own) or `live` (the live consumers see them, marked). */
export type DeadLetterTarget = 'rebuild' | 'live'

export function rebuildNames(set: string, live: LiveNames, deadLetters: DeadLetterTarget = 'rebuild'): RebuildNames {
  return {
    set,
    groupId: `${live.groupId}.${set}`,
    queuePrefix: `${live.queuePrefix}-${set}`,
    deadLetterTopic: deadLetters === 'live' ? live.deadLetterTopic : rebuildDeadLetterTopic(live.deadLetterTopic),
    transactionalId: `${live.transactionalId}-${set}`,
  }
}

/** The variables that make an ingest worker and an aggregator write `names.set`: for a deployment's services. */
export function pipelineEnvironment(names: RebuildNames): Record<string, string> {
  return {
    PROJECTION_SET: names.set,
    KAFKA_GROUP_ID: names.groupId,
    BULLMQ_PREFIX: names.queuePrefix,
    TOPIC_DEAD_LETTER: names.deadLetterTopic,
    KAFKA_TRANSACTIONAL_ID: names.transactionalId,
  }
}
