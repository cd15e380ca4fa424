import t from 'tap'
import { ConfigError, env, loadConfig } from '../src/config.js'

const shape = { PORT: env.port(3000), BROKERS: env.list('127.0.0.1:9092'), VERBOSE: env.boolean(false) }

t.test('defaults apply and strings are parsed', async (t) => {
  t.same(loadConfig(shape, {}), { PORT: 3000, BROKERS: ['127.0.0.1:9092'], VERBOSE: false })
  t.same(loadConfig(shape, { PORT: '81', BROKERS: 'a:1, b:2', VERBOSE: '1' }), { PORT: 81, BROKERS: ['a:1', 'b:2'], VERBOSE: true })
})

t.test('every bad variable is named in one error', async (t) => {
  const error = t.throws(() => loadConfig(shape, { PORT: 'eighty', VERBOSE: 'maybe' })) as ConfigError
  t.type(error, ConfigError)
  t.match(error.message, /PORT/)
  t.match(error.message, /VERBOSE/)
})
