import t from 'tap'
import { ConfigError, doc, env, loadConfig, type CrossCheck } from '../src/config.js'
import { describeVariables, renderConfigReference, renderVariableSummary } from '../src/config-reference.js'

const shape = {
  PORT: env.port(3000),
  BROKERS: env.list('127.0.0.1:9092'),
  VERBOSE: env.boolean(false),
  MODE: env.oneOf(['fast', 'safe'], 'safe'),
}

t.test('defaults apply and strings are parsed', async (t) => {
  t.same(loadConfig(shape, {}), { PORT: 3000, BROKERS: ['127.0.0.1:9092'], VERBOSE: false, MODE: 'safe' })
  t.same(loadConfig(shape, { PORT: '81', BROKERS: 'a:1, b:2', VERBOSE: '1', MODE: 'fast' }), {
    PORT: 81,
    BROKERS: ['a:1', 'b:2'],
    VERBOSE: true,
    MODE: 'fast',
  })
})

t.test('every bad variable is named in one error', async (t) => {
  const error = t.throws(() => loadConfig(shape, { PORT: 'eighty', VERBOSE: 'maybe', MODE: 'quick' })) as ConfigError
  t.type(error, ConfigError)
  t.match(error.message, /PORT/)
  t.match(error.message, /VERBOSE/)
  t.match(error.message, /MODE: Invalid option: expected one of "fast"\|"safe"/)
})

t.test('field errors and cross-field problems are reported together, in one ConfigError', async (t) => {
  const both: CrossCheck<typeof shape> = (values) =>
    values.PORT === 81 && values.VERBOSE === undefined ? [{ variable: 'PORT, VERBOSE', message: 'port 81 wants VERBOSE' }] : []
  const sees: CrossCheck<typeof shape> = (_values, source) =>
    source['BROKERS'] === 'none' ? [{ variable: 'BROKERS', message: 'the raw value is seen as well' }] : []
  const error = t.throws(() => loadConfig(shape, { PORT: '81', VERBOSE: 'maybe', BROKERS: 'none' }, [both, sees])) as ConfigError
  t.type(error, ConfigError)
  t.same(
    error.problems.map((problem) => problem.variable),
    ['VERBOSE', 'PORT, VERBOSE', 'BROKERS'],
    'the bad field first, then every check, which see the fields that parsed',
  )
  t.match(error.message, /VERBOSE: Invalid option[\s\S]*PORT, VERBOSE: port 81 wants VERBOSE[\s\S]*BROKERS: the raw value/)
  t.same(loadConfig(shape, { PORT: '82' }, [both, sees]).PORT, 82, 'checks that find nothing let the values through')
})

t.test('the reference is rendered from the documented schemas', async (t) => {
  const documented = {
    PORT: doc(env.port(3000), 'Where it listens.'),
    BROKERS: doc(env.list('a:1,b:2'), 'Brokers | with a pipe.', { internal: true }),
    PEER_URL: doc(env.optionalUrl(), 'Another service.', { defaultText: "PORT's host" }),
    EMPTY: doc(env.list(''), 'Nothing by default.'),
  }
  t.same(
    describeVariables({ service: 'demo', shape: documented }).map((row) => [row.name, row.defaultValue, row.audience]),
    [
      ['PORT', '3000', 'operator'],
      ['BROKERS', 'a:1,b:2', 'internal'],
      ['PEER_URL', "PORT's host", 'operator'],
      ['EMPTY', '', 'operator'],
    ],
  )
  const page = renderConfigReference([{ service: 'demo', shape: documented }], 'pnpm demo')
  t.match(page, /\| `BROKERS` \| `a:1,b:2` \| internal \| Brokers \\\| with a pipe\. \|/)
  t.match(page, /\| `EMPTY` \| \(empty\) \|/)
  t.throws(() => describeVariables({ service: 'demo', shape: { ...documented, LOST: env.port(1) } }), /demo: LOST has no description/)
  t.throws(() => renderVariableSummary([{ service: 'demo', shape: documented }], ['NOPE']), /NOPE is in no service/)
})
