/** The event's live stream (EventSource, session cookie): connection state and parsed frames. */
import { api } from './api.js'
import type { Dashboard, PipelineFrame } from '@event-analytics/query-api/schemas'

export interface EventStreamHandlers {
  onOpen(): void
  /** The connection dropped; EventSource reconnects by itself. */
  onError(): void
  /** The KPI figures after a commit. */
  onDashboard(dashboard: Dashboard): void
  /** Pipeline delay only (no figures changed). */
  onPipeline(frame: PipelineFrame): void
}

/** Opens the stream of `eventId`; returns the function that closes it. */
export function openEventStream(eventId: string, handlers: EventStreamHandlers): () => void {
  const stream = new EventSource(api.streamUrl(eventId))
  stream.addEventListener('open', () => handlers.onOpen())
  stream.addEventListener('error', () => handlers.onError())
  stream.addEventListener('dashboard', (event) => handlers.onDashboard(JSON.parse((event as MessageEvent<string>).data) as Dashboard))
  stream.addEventListener('pipeline', (event) => handlers.onPipeline(JSON.parse((event as MessageEvent<string>).data) as PipelineFrame))
  return () => stream.close()
}
