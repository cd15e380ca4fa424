/**
 * Found by packages/chaos (PostgreSQL restarted under load): a pooled connection reset by the
 * server (ECONNRESET) or ended by it ("Connection terminated unexpectedly") answered 500. A
 * dependency going away is a 503, whatever way the socket learns it.
 */
import t from 'tap'
import Fastify from 'fastify'
import { problemDetailsPlugin } from '../src/plugins/problem-details.js'

const failure = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code })

t.test('connection-level failures of a dependency are 503 problem+json', async (t) => {
  const app = Fastify({ logger: false })
  await app.register(problemDetailsPlugin)
  const cases: Record<string, Error> = {
    reset: failure('read ECONNRESET', 'ECONNRESET'),
    pipe: failure('write EPIPE', 'EPIPE'),
    terminated: failure('Connection terminated unexpectedly'),
    refused: failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    shutdown: failure('terminating connection due to administrator command', '57P01'),
  }
  for (const [name, error] of Object.entries(cases))
    app.get(`/${name}`, async () => {
      throw error
    })
  app.get('/bug', async () => {
    throw new Error('a real bug')
  })
  t.teardown(() => app.close())
  for (const name of Object.keys(cases)) {
    const response = await app.inject({ url: `/${name}` })
    t.equal(response.statusCode, 503, `${name} -> 503`)
    t.match(response.headers['content-type'], /application\/problem\+json/)
  }
  t.equal((await app.inject({ url: '/bug' })).statusCode, 500, 'anything else is still a 500')
})
