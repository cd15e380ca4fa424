import t from 'tap'
import { banner } from '../src/banner.js'
import { createLineSplitter, formatLine } from '../src/log-format.js'
import { DEFAULT_SETTINGS, commandOf, serviceSpecs } from '../src/services.js'

t.test('services start in dependency order, each with its readiness URL', async (t) => {
  const specs = serviceSpecs({ ...DEFAULT_SETTINGS, apiPort: 3333 })
  t.same(
    specs.map((s) => s.name),
    ['provider-sim', 'ingest', 'aggregator', 'api', 'webhooks', 'simulator'],
  )
  t.equal(specs.find((s) => s.name === 'api')!.readyUrl, 'http://127.0.0.1:3333/ready')
  t.same(specs.find((s) => s.name === 'simulator')!.args, ['--rate', '20', '--seed', '1'])
  t.same(
    specs.filter((s) => s.optional).map((s) => s.name),
    ['provider-sim'],
  )
})

t.test('package scripts become a direct command', async (t) => {
  t.same(commandOf('tsx --conditions=event-analytics-source src/main.ts', ['--rate', '5']), {
    bin: 'tsx',
    args: ['--conditions=event-analytics-source', 'src/main.ts', '--rate', '5'],
  })
  t.throws(() => commandOf('tsx a.ts && rm -rf x', []), { name: 'ScriptError' })
  t.throws(() => commandOf('   ', []), { name: 'ScriptError' })
})

t.test('pino lines are condensed, other lines kept, both prefixed', async (t) => {
  const options = { colour: false, width: 10 }
  const pino = JSON.stringify({
    level: 40,
    time: Date.UTC(2026, 0, 1, 12, 30, 5, 7),
    pid: 1,
    hostname: 'h',
    name: 'agg',
    msg: 'slow batch',
    ms: 812,
  })
  t.equal(formatLine('aggregator', 'magenta', pino, options), 'aggregator | 12:30:05.007 WARN  slow batch {"ms":812}')
  t.equal(formatLine('api', 'green', 'plain text {', options), 'api        | plain text {')
  t.equal(formatLine('api', 'green', '{"not": "closed"', options), 'api        | {"not": "closed"')
  t.ok(formatLine('api', 'green', 'x', { colour: true, width: 3 }).includes('\u001b['), 'coloured on a terminal')
})

t.test('line splitting across chunks', async (t) => {
  const lines: string[] = []
  const splitter = createLineSplitter((line) => lines.push(line))
  splitter.push('one\ntw')
  splitter.push('o\r\n\nthr')
  splitter.end()
  t.same(lines, ['one', 'two', 'thr'])
})

t.test('the banner has every URL, the token and how to stop the stack', async (t) => {
  const text = banner({
    apiBaseUrl: 'http://127.0.0.1:3000',
    token: 'TOKEN',
    skipped: ['provider-sim (missing)'],
    idPrefix: 'sim42',
    stopsStack: false,
  })
  for (const part of [
    'http://127.0.0.1:3000/api/v1',
    'http://127.0.0.1:3000/docs',
    '/admin/queues?token=TOKEN',
    'pnpm stack down',
    'Skipped: provider-sim',
    '/users/sim42-owner-1/analytics',
    '/events/sim42-ev-1-1/analytics',
  ]) {
    t.ok(text.includes(part), part)
  }
  const stopping = banner({ apiBaseUrl: 'http://127.0.0.1:3000', token: 'TOKEN', skipped: [], idPrefix: 'sim42', stopsStack: true })
  t.match(stopping, /Ctrl-C stops the services, the simulator, Kafka and the registry/)
  t.notMatch(text, /Dashboard/, 'no dashboard line when the launcher did not look')
  const link = 'http://127.0.0.1:3000/auth/login?code=CODE'
  const signedIn = banner({
    apiBaseUrl: 'http://127.0.0.1:3000',
    token: 'TOKEN',
    skipped: [],
    idPrefix: 'sim42',
    stopsStack: true,
    dashboard: { link, userId: 'sim42-owner-2', title: '아메리카노 1+1 주간 #2.1' },
  })
  t.match(signedIn, /Dashboard +http:\/\/127\.0\.0\.1:3000\/auth\/login\?code=CODE/)
  t.match(signedIn, /signs in as sim42-owner-2 \(running: 아메리카노 1\+1 주간 #2\.1\)/)
  t.notMatch(signedIn.split('Dashboard')[1]?.split('\n')[0] ?? '', /TOKEN/, 'the link carries no API token')
  const none = banner({
    apiBaseUrl: 'http://127.0.0.1:3000',
    token: 'TOKEN',
    skipped: [],
    idPrefix: 'sim42',
    stopsStack: true,
    dashboard: null,
  })
  t.match(none, /no running campaign yet/)
})
