/** A minimal Server-Sent Events reader over fetch, for tests: frames in order. */

export interface SseFrame {
  event: string
  id: string | undefined
  data: string
}

export interface SseStream {
  status: number
  headers: Headers
  /** The body of a non-stream answer (problem+json). */
  text: string
  /** The next frame whose event is `event` (frames of other events are skipped). */
  next(event: string, timeoutMs?: number): Promise<SseFrame>
  /** Resolves when the server ended the stream. */
  ended: Promise<void>
  close(): void
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const queue: SseFrame[] = []
  const waiters: (() => void)[] = []
  let done = false
  const notify = (): void => {
    for (const waiter of waiters.splice(0)) waiter()
  }
  const isStream = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
  const text = isStream ? '' : await response.text()
  const ended = (async () => {
    if (!isStream || response.body === null) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let at = buffer.indexOf('\n\n')
        while (at >= 0) {
          const block = buffer.slice(0, at)
          buffer = buffer.slice(at + 2)
          const frame: SseFrame = { event: 'message', id: undefined, data: '' }
          let hasData = false
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':')
            const field = colon < 0 ? line : line.slice(0, colon)
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'event') frame.event = value
            else if (field === 'id') frame.id = value
            else if (field === 'data') {
              frame.data += (hasData ? '\n' : '') + value
              hasData = true
            }
          }
          if (hasData) queue.push(frame)
          at = buffer.indexOf('\n\n')
        }
        notify()
      }
    } catch {
      // aborted by close()
    } finally {
      done = true
      notify()
    }
  })()
  return {
    status: response.status,
    headers: response.headers,
    text,
    ended,
    close: () => controller.abort(),
    async next(event, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const index = queue.findIndex((frame) => frame.event === event)
        if (index >= 0) return queue.splice(0, index + 1)[index]!
        if (done) throw new Error(`stream ended before a "${event}" frame`)
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no "${event}" frame within ${timeoutMs} ms`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
    },
  }
}
