/** `pnpm bench`: progress on stderr, the target table on stdout, results in files. */
import { loadBenchConfig } from './config.js'
import { createProgress } from './progress.js'
import { renderConsoleTable } from './report.js'
import { runBench, writeResults } from './run.js'

const config = loadBenchConfig()
const progress = createProgress()
const results = await runBench(config, progress)
const json = writeResults(results, config)
process.stdout.write(`\n${renderConsoleTable(results.targets)}\n\n`)
process.stdout.write(`results: ${json}${config.BENCH_WRITE_MARKDOWN ? ' and BENCHMARKS.md' : ''}\n`)
if (results.failures.length > 0) {
  process.stderr.write(`failed phases:\n  ${results.failures.join('\n  ')}\n`)
  process.exitCode = 1
}
