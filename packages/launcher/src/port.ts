/** Whether a service's port is free before it starts: another process there would answer in its place. */
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** True when something listens on `host:port` now (binding it fails with EADDRINUSE). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)))
  })
}

/** Polls until `host:port` is free or `timeoutMs` has passed; true when it is free. */
export async function waitForFreePort(host: string, port: number, timeoutMs: number, pollMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!(await portInUse(host, port))) return true
    if (Date.now() >= deadline) return false
    await sleep(pollMs)
  }
}

export interface ServicePort {
  readonly service: string
  readonly host: string
  readonly port: number
}

/** Ports services will listen on are held by other processes, and were not released in time. */
export class PortInUseError extends Error {
  override name = 'PortInUseError'
  constructor(readonly held: readonly ServicePort[]) {
    const list = held.map(({ service, host, port }) => `${host}:${port} (${service})`).join(', ')
    const ports = held.map(({ port }) => `:${port}`).join(' or sport = ')
    super(
      `in use by other processes, which would answer in place of the services: ${list}. ` +
        `They may be another \`npm start\`'s services, still running or left by one killed outright; ` +
        `\`ss -ltnp 'sport = ${ports}'\` names the processes. Stop them, then run \`npm start\` again.`,
    )
  }
}
