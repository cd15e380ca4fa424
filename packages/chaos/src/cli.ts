/**
 * `pnpm chaos`: runs the suite, prints the summary, writes it to the report file and the
 * marked section of BENCHMARKS.md. Exit code 1 when any fault run differs from the truth.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadChaosConfig } from './config.js'
import { runChaos } from './run.js'
import { renderReport, reportOk, spliceSection } from './summary.js'

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const config = loadChaosConfig()
const progress = (line: string): void => void process.stdout.write(`${line}\n`)

const { report, env } = await runChaos(repoRoot, config, progress)
const ok = reportOk(report)
const text = renderReport(report)
progress(`\n${text}`)
const reportFile = resolve(repoRoot, config.CHAOS_REPORT_FILE)
mkdirSync(dirname(reportFile), { recursive: true })
writeFileSync(reportFile, `# Chaos suite — latest run\n\n${text}`)
const benchmarks = resolve(repoRoot, config.CHAOS_BENCHMARKS_FILE)
// Read right before writing: another writer owns the other sections of this file.
writeFileSync(benchmarks, spliceSection(existsSync(benchmarks) ? readFileSync(benchmarks, 'utf8') : '', text))
progress(`report: ${reportFile}; section updated in ${benchmarks}`)
await env.close()
if (ok && !config.CHAOS_KEEP) rmSync(env.dir, { recursive: true, force: true })
else progress(`logs and data kept in ${env.dir}`)
process.exit(ok ? 0 : 1)
