import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { RESULTS_DIR } from '../src/paths.js'
import { startService } from '../src/services.js'

// A service that dies before it is ready must leave its reason in the log the error names. Node
// refuses this option in NODE_OPTIONS on stderr, after its stdout has already closed.
t.test('a service that exits before ready leaves its stderr in its log', async (t) => {
  const label = 'bench-test-refused-option'
  await t.rejects(
    startService({
      pkg: 'bench',
      entry: 'bare-server',
      label,
      env: { NODE_OPTIONS: '--trace-gc' },
      readyUrl: 'http://127.0.0.1:9/health',
    }),
    /exited with 9 before ready/,
  )
  t.match(readFileSync(join(RESULTS_DIR, 'logs', `${label}.log`), 'utf8'), /--trace-gc is not allowed in NODE_OPTIONS/)
})
