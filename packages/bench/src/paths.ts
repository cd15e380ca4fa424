import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** Repository root (this file is packages/bench/{src,dist}/paths.*). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const RESULTS_DIR = join(REPO_ROOT, 'bench-results')
export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md')
export const packageDir = (name: string): string => join(REPO_ROOT, 'packages', name)
