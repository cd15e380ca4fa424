/** A child started the way `npm start` starts each service: a package script, run from the package's own bin folder. */
import t from 'tap'
import { SERVICE_NODE_OPTIONS } from '@event-analytics/ops'
import { startChild } from '../src/children.js'
import { writeProbePackage } from './helpers/probe-package.js'

t.test("a service starts with the services' V8 options, followed by the operator's own", async (t) => {
  const root = t.testdir({})
  writeProbePackage(root, 'node print.cjs', { 'print.cjs': "console.log('NODE_OPTIONS=' + process.env.NODE_OPTIONS)" })
  const before = process.env['NODE_OPTIONS']
  process.env['NODE_OPTIONS'] = '--max-old-space-size=300'
  t.teardown(() => {
    if (before === undefined) delete process.env['NODE_OPTIONS']
    else process.env['NODE_OPTIONS'] = before
  })
  const lines: string[] = []
  const spec = { name: 'probe', packageDir: 'probe', script: 'start', args: [], readyUrl: null, colour: 'cyan', optional: false } as const
  const child = startChild(root, spec, { colour: false, width: 5 }, (line) => lines.push(line))
  t.equal(await child.exited, 0)
  t.equal(lines.length, 1)
  // tap adds options of its own to every child it sees spawned (quoted, after these).
  const options = lines[0]?.replace(/^probe \| NODE_OPTIONS=/, '').replaceAll('"', '') ?? ''
  t.ok(options.startsWith(`${SERVICE_NODE_OPTIONS} --max-old-space-size=300`), options)
})
