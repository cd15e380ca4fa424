/**
 * Many live-stream clients in the bench process: each a fetch of the SSE route, read as raw
 * text; only `dashboard` frames are looked at, and only their totalParticipants (a regex: a
 * thousand JSON.parse per push would measure the bench, not the API).
 */
import { performance } from 'node:perf_hooks'

export interface StreamWatcher {
  /** When each client first saw totalParticipants >= n (performance.now ms), by client. */
  seenAt(n: number): (number | undefined)[]
  /** Clients whose stream is open. */
  open(): number
  close(): void
}

const TOTAL = /"totalParticipants":(\d+)/

export async function openStreams(url: string, token: string, clients: number, onFrame: () => void): Promise<StreamWatcher> {
  const controller = new AbortController()
  const latest: number[] = Array.from({ length: clients }, () => -1)
  /** Per client: the instants at which its count grew, as [count, at] pairs (counts only grow). */
  const history: [number, number][][] = Array.from({ length: clients }, () => [])
  let openCount = 0
  const one = async (index: number): Promise<void> => {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    })
    if (!response.ok || response.body === null) throw new Error(`stream ${index}: ${response.status} ${await response.text()}`)
    openCount += 1
    const decoder = new TextDecoder()
    let buffer = ''
    void (async () => {
      try {
        for await (const chunk of response.body!) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true })
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (frame.startsWith('event: dashboard')) {
              const total = Number(TOTAL.exec(frame)?.[1] ?? -1)
              if (total > latest[index]!) {
                latest[index] = total
                history[index]!.push([total, performance.now()])
                onFrame()
              }
            }
            end = buffer.indexOf('\n\n')
          }
        }
      } catch {
        // aborted at the end of the phase
      } finally {
        openCount -= 1
      }
    })()
  }
  // Opened 50 at a time: a thousand simultaneous connects would measure the accept queue.
  for (let start = 0; start < clients; start += 50) {
    await Promise.all(Array.from({ length: Math.min(50, clients - start) }, (_, offset) => one(start + offset)))
  }
  return {
    seenAt: (n) => history.map((entries) => entries.find(([total]) => total >= n)?.[1]),
    open: () => openCount,
    close: () => controller.abort(),
  }
}
