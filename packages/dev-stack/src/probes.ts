/** "Does it really answer?" checks, each speaking a little of the component's own protocol. */
import { type Socket, connect } from 'node:net'
import { Kafka, logLevel } from 'kafkajs'

function withSocket<T>(
  host: string,
  port: number,
  timeoutMs: number,
  talk: (socket: Socket, done: (value: T) => void) => void,
  fallback: T,
): Promise<T> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    let settled = false
    const done = (value: T): void => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve(value)
    }
    socket.setTimeout(timeoutMs, () => done(fallback))
    socket.once('error', () => done(fallback))
    socket.once('connect', () => talk(socket, done))
  })
}

export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return withSocket(host, port, timeoutMs, (_socket, done) => done(true), false)
}

/** PostgreSQL answers an SSLRequest with a single 'S' or 'N'. */
export function postgresAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return withSocket(
    host,
    port,
    timeoutMs,
    (socket, done) => {
      const request = Buffer.alloc(8)
      request.writeInt32BE(8, 0)
      request.writeInt32BE(80877103, 4)
      socket.once('data', (data) => done(data[0] === 0x53 || data[0] === 0x4e))
      socket.write(request)
    },
    false,
  )
}

/** Redis answers PING with +PONG (or an error such as -NOAUTH, which still means it is up). */
export function redisAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return withSocket(
    host,
    port,
    timeoutMs,
    (socket, done) => {
      socket.once('data', (data) => done(data[0] === 0x2b || data[0] === 0x2d))
      socket.write('PING\r\n')
    },
    false,
  )
}

export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.arrayBuffer()
    return response.ok
  } catch {
    return false
  }
}

/** Health endpoint is UP and the Confluent-compatible API lists subjects. */
export async function registryAnswers(healthUrl: string, registryUrl: string): Promise<boolean> {
  return (await httpOk(healthUrl)) && (await httpOk(`${registryUrl}/subjects`))
}

function probeClient(brokers: string[], retries: number): Kafka {
  return new Kafka({
    clientId: 'dev-stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_500,
    requestTimeout: 5_000,
    retry: { retries, initialRetryTime: 200 },
  })
}

/** The broker answers metadata (describeCluster) through kafkajs; returns the cluster id. */
export async function kafkaAnswers(brokers: string[]): Promise<string | undefined> {
  const admin = probeClient(brokers, 0).admin()
  try {
    await admin.connect()
    const cluster = await admin.describeCluster()
    return cluster.brokers.length > 0 ? cluster.clusterId : undefined
  } catch {
    return undefined
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * The group coordinator answers: fetchOffsets makes the broker create and load __consumer_offsets, so the
 * first consumer group of a test does not race it. Returns undefined when ready, else the error message.
 */
export async function kafkaCoordinatorProblem(brokers: string[]): Promise<string | undefined> {
  const admin = probeClient(brokers, 3).admin()
  try {
    await admin.connect()
    await admin.fetchOffsets({ groupId: 'dev-stack-probe' })
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}
