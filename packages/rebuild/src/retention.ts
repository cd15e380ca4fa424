/** What the topics' retention means for a rebuild, said plainly in the command's output. */
import type { TopicRetention } from './kafka.js'
import { duration, grouped, type Progress } from './progress.js'

export function retentionLines(retention: readonly TopicRetention[], progress: Progress): string[] {
  const lines = retention.map((topic) => {
    const time = topic.retentionMs < 0 ? 'forever' : duration(topic.retentionMs / 1000)
    const size = topic.retentionBytes < 0 ? '' : `, at most ${grouped(topic.retentionBytes)} bytes per partition`
    return `  ${topic.topic}: messages kept ${time}${size}`
  })
  if (progress.truncated.length === 0) {
    lines.push('  every partition still starts at offset 0: the whole log is there, the rebuild is complete.')
  } else {
    lines.push(
      '  WARNING: retention already deleted the start of these partitions; what was in them cannot be rebuilt,',
      '  and events whose messages were only there will be missing or short in the rebuilt set (the comparison names them):',
      ...progress.truncated.map((p) => `    ${p.topic}[${p.partition}]: offsets 0 to ${grouped(p.low - 1)} are gone`),
    )
  }
  return lines
}
