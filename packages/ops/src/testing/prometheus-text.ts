/** Reads figures out of a Prometheus text exposition (pure): what tests, the bench and chaos scrape. */

/**
 * Sum of the samples of metric `name` whose labels include every pair of `labels` (default: all
 * label sets); 0 when absent. Only the exact name counts: `x_total` does not pick up
 * `x_total_other`. Comments (`# HELP`, `# TYPE`) are skipped.
 */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line)
    if (match === null || match[1] !== name || !hasLabels(match[2] ?? '', labels)) continue
    const value = Number(match[3])
    if (Number.isFinite(value)) sum += value
  }
  return sum
}

/** Label values as prom-client writes them: `a="x",b="y"` (no escaped quotes in the values tests use). */
function hasLabels(written: string, wanted: Readonly<Record<string, string>>): boolean {
  const present = new Map([...written.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]))
  return Object.entries(wanted).every(([label, value]) => present.get(label) === value)
}
