/**
 * A TCP proxy in front of a real server, for start-up tests: the server can be made to look
 * down (the port refuses connections), to drop every connection as soon as the client speaks,
 * to answer every connection with fixed bytes (an HTTP 503), or to be reached normally. Only
 * connections made through the proxy see it: a Kafka client that learnt the broker's own
 * address from the metadata talks to the broker directly afterwards.
 */
import { EventEmitter, once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type ProxyMode =
  { readonly kind: 'down' } | { readonly kind: 'drop' } | { readonly kind: 'answer'; readonly bytes: string } | { readonly kind: 'forward' }

export interface TcpProxy {
  readonly port: number
  /** Emits 'connection' (mode kind) for every connection the proxy accepted. */
  readonly events: EventEmitter
  setMode(mode: ProxyMode): Promise<void>
  close(): Promise<void>
}

/** An HTTP answer for `answer` mode, e.g. a registry that is starting: `httpAnswer(503, 'starting')`. */
export function httpAnswer(status: number, body: string): string {
  return `HTTP/1.1 ${status} Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}

export async function startTcpProxy(target: { host: string; port: number }, initial: ProxyMode): Promise<TcpProxy> {
  const events = new EventEmitter()
  const sockets = new Set<Socket>()
  let mode = initial
  let server: Server | undefined
  let port = 0

  const handle = (client: Socket): void => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => undefined)
    events.emit('connection', mode.kind)
    if (mode.kind === 'drop') {
      client.once('data', () => client.destroy())
      return
    }
    if (mode.kind === 'answer') {
      const bytes = mode.bytes
      client.once('data', () => client.end(bytes))
      return
    }
    const upstream = connect(target.port, target.host)
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream).pipe(client)
  }

  const listen = async (at = port): Promise<void> => {
    server = createServer(handle)
    server.listen(at, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  }
  const stopListening = async (): Promise<void> => {
    const current = server
    server = undefined
    if (current === undefined) return
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => current.close(() => resolve()))
  }

  if (initial.kind === 'down') {
    // A free port, closed again: connections are refused until the mode changes. Taken below
    // the kernel's ephemeral range, which it never hands to another socket meanwhile.
    await listenBelowEphemeralRange(listen)
    await stopListening()
  } else {
    await listen()
  }
  return {
    get port() {
      return port
    },
    events,
    async setMode(next) {
      mode = next
      if (next.kind === 'down') await stopListening()
      else if (server === undefined) await listen()
    },
    close: stopListening,
  }
}

/**
 * Ports Linux never assigns on its own (its default ephemeral range starts at 32768): a port
 * left unbound here stays free for the proxy to take again, where one from port 0 can be handed
 * to any other test's connection or listener in between.
 */
const UNASSIGNED_FIRST = 20_000
const UNASSIGNED_LAST = 32_767

async function listenBelowEphemeralRange(listen: (port: number) => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const port = UNASSIGNED_FIRST + Math.floor(Math.random() * (UNASSIGNED_LAST - UNASSIGNED_FIRST + 1))
    try {
      return await listen(port)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 20) throw error
    }
  }
}
