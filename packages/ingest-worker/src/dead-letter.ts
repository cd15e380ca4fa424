/** Dead letters (docs/SPEC.md section 3): the original key and value bytes, unchanged, plus why and where from. */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs'
import type { Rejection } from './decode/outcome.js'

export interface MessageOrigin {
  readonly topic: string
  readonly partition: number
}

export function deadLetterOf(origin: MessageOrigin, message: KafkaMessage, rejection: Rejection, failedAt: Date): Message {
  const headers: IHeaders = {
    ...message.headers,
    'x-error-code': rejection.code,
    'x-error-message': rejection.message,
    'x-source-topic': origin.topic,
    'x-source-partition': String(origin.partition),
    'x-source-offset': message.offset,
    'x-failed-at': failedAt.toISOString(),
  }
  return { key: message.key, value: message.value, headers }
}
