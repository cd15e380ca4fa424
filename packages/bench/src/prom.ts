/** Reads figures out of Prometheus text exposition (pure). */

/** Sum of every sample of metric `name` (all label sets); 0 when absent. */
export function metricSum(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`))) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) sum += value
  }
  return sum
}
