/**
 * Request logs never carry credentials: the board accepts `?token=<JWT>` on its first page load
 * and the dashboard's sign-in link carries `?code=`, and Fastify logs every request's URL.
 */
import { Writable } from 'node:stream'
import t from 'tap'
import { pino } from 'pino'
import { createHarness } from './helpers.js'

const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString())
    done()
  },
})
const h = await createHarness(t, {}, { logger: pino({ level: 'info' }, sink) })
const operatorToken = await h.token('ops-log', { operator: true })

t.test('a token or sign-in code in the query string is redacted from the request logs', async (t) => {
  await h.app.inject({ url: `/admin/queues?token=${operatorToken}&x=1` })
  await h.app.inject({ url: '/auth/login?code=not-a-real-code-but-secret-looking' })
  const logged = lines.join('')
  t.match(logged, /incoming request/, 'requests are logged')
  t.notMatch(logged, operatorToken, 'the JWT is not in the logs')
  t.notMatch(logged, /not-a-real-code/, 'the sign-in code is not in the logs')
  t.match(logged, /\/admin\/queues\?token=\[redacted\]&x=1/, 'the rest of the URL stays readable')
})
