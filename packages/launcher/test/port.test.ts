/** The launcher's port check against real sockets: a port another process listens on is in use until it closes. */
import { createServer, type Server } from 'node:net'
import t from 'tap'
import { freePort } from '@event-analytics/ops/testing'
import { PortInUseError, portInUse, waitForFreePort } from '../src/port.js'

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port, host }, () => resolve(server))
  })
}

t.test('a port is in use while a server listens on it, on the same address or on all of them', async (t) => {
  const port = await freePort()
  t.equal(await portInUse('127.0.0.1', port), false, 'free before')
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const server = await listen(port, host)
    t.equal(await portInUse('127.0.0.1', port), true, `in use while a server listens on ${host}`)
    await new Promise((resolve) => server.close(resolve))
    t.equal(await portInUse('127.0.0.1', port), false, `free again once the server on ${host} closed`)
  }
})

t.test('waiting for a port ends when its holder closes, or reports it still held at the deadline', async (t) => {
  const port = await freePort()
  const server = await listen(port, '127.0.0.1')
  t.equal(await waitForFreePort('127.0.0.1', port, 300, 50), false, 'still held at the deadline')
  const released = waitForFreePort('127.0.0.1', port, 20_000, 50)
  server.close()
  t.equal(await released, true, 'free once the holder closed')
})

t.test('the error names each held address with its service, and how to find the holders', async (t) => {
  const error = new PortInUseError([
    { service: 'ingest', host: '127.0.0.1', port: 9101 },
    { service: 'api', host: '127.0.0.1', port: 3000 },
  ])
  t.match(error.message, /^in use by other processes, .*: 127\.0\.0\.1:9101 \(ingest\), 127\.0\.0\.1:3000 \(api\)\./)
  t.match(error.message, /ss -ltnp 'sport = :9101 or sport = :3000'/)
})
