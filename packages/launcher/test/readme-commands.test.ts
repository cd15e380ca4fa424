/**
 * Every command line of the root README's fenced shell blocks runs as written against the
 * local stack and exits 0, so a tool upgrade (pnpm 10 passing `--` on to scripts broke
 * `token -- --sub ...`) cannot silently break the documentation. The database commands get a
 * fresh database of their own (DATABASE_URL); the rest talk to the shared local stack.
 */
import { exec } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { dropDatabase, withDatabase } from '@event-analytics/db'
import { TEST_SERVER_URL } from '@event-analytics/db/testing'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const readme = readFileSync(`${root}/README.md`, 'utf8')

/** Not run, each for a reason; an entry the README no longer shows fails the test (no stale list). */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm start': 'runs the services until Ctrl-C',
  'npm test': 'the whole build and every test, minutes; it is what runs this test',
  'pnpm stack down': 'stops the Kafka and registry that other tests and checkouts on this machine use',
  'pnpm --filter @event-analytics/simulator simulate -- --rate 200 --duration 60':
    "60 s and 12,000 messages into the shared topics; its arguments (with pnpm's `--`) are tested in packages/simulator/test/cli-args.test.ts",
  'pnpm turbo run test --filter @event-analytics/aggregator': "a package's whole test suite, minutes",
  'pnpm bench': 'minutes of load; rewrites BENCHMARKS.md',
  'pnpm chaos': '~2.5 min on fixed ports; rewrites BENCHMARKS.md',
  'pnpm audit:topics':
    'its verdict is about whatever the shared topics and database hold from earlier runs; tested in packages/ingest-worker/test/audit.test.ts and after every chaos phase',
}

/** The command lines of ```sh / ```bash / ```shell blocks, comments dropped. */
function commandLines(markdown: string): string[] {
  const lines: string[] = []
  for (const [, body] of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    for (const line of body!.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim()
      if (command !== '' && !command.startsWith('#')) lines.push(command)
    }
  }
  return lines
}

// Each line is a fresh pnpm process (seconds each, much longer on a loaded machine): the
// file gets more than the package's 120 s default; each command keeps its own 90 s bound.
t.setTimeout(600_000)

const commands = commandLines(readme)
const database = withDatabase(TEST_SERVER_URL, `ea_readme_${process.pid}`)
t.teardown(() => dropDatabase(database))

t.test('the README shows commands, and every skipped one is still among them', async (t) => {
  t.ok(commands.length >= 10, `${commands.length} command lines`)
  for (const skipped of Object.keys(NOT_RUN)) t.ok(commands.includes(skipped), `still in the README: ${skipped}`)
})

for (const command of commands.filter((line) => NOT_RUN[line] === undefined)) {
  t.test(command, async (t) => {
    // Not the caller's JWT settings: the token lines must work from the stack secret alone.
    const { JWT_SECRET: _secret, JWT_JWKS_URL: _jwks, ...inherited } = process.env
    const env = { ...inherited, DATABASE_URL: database, LOG_LEVEL: 'warn' }
    const result = await promisify(exec)(command, { cwd: root, env, timeout: 90_000 }).then(
      () => 0,
      (error: { code?: number; stdout?: string; stderr?: string }) => {
        t.comment(`${error.stdout ?? ''}\n${error.stderr ?? ''}`.slice(-3000))
        return error.code ?? -1
      },
    )
    t.equal(result, 0, 'exits 0')
  })
}
