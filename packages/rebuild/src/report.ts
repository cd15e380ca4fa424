/** The comparison of two projection sets as a person reads it (and as JSON for a script). */
import type { SetComparison } from '@event-analytics/db'
import { grouped } from './progress.js'

const KIND_TEXT = {
  changed: 'figures differ',
  missing: 'only in the live set (not rebuilt: its messages may be past the topics\u2019 retention)',
  added: 'only in the rebuilt set',
} as const

export function formatComparison(report: SetComparison, options: { maxEvents?: number } = {}): string {
  const lines = [
    `Compared live set "${report.before}" with "${report.after}" in one snapshot at ${report.comparedAt.toISOString()}.`,
    `Events: ${grouped(report.eventsBefore)} live, ${grouped(report.eventsAfter)} rebuilt; ${grouped(report.differences.length)} differ` +
      ` (${count(report, 'changed')} changed, ${count(report, 'missing')} only live, ${count(report, 'added')} only rebuilt).`,
    `Newest batch commit: live ${report.lastCommitBefore?.toISOString() ?? 'none'}, rebuilt ${report.lastCommitAfter?.toISOString() ?? 'none'}` +
      ' (a set still catching up differs on its newest messages: compare again once both are caught up).',
  ]
  if (report.unfoldedBefore + report.unfoldedAfter > 0) {
    lines.push(
      `Registrations not folded yet: ${report.unfoldedBefore} batches live, ${report.unfoldedAfter} rebuilt` +
        ' (returningFolded may differ for a few seconds: compare again if only it differs).',
    )
  }
  if (report.differences.length === 0) {
    lines.push('', 'No event differs: switching changes no figure.')
    return lines.join('\n')
  }
  const shown = report.differences.slice(0, options.maxEvents ?? report.differences.length)
  for (const difference of shown) {
    lines.push('', `event ${difference.eventId} (owner ${difference.userId ?? 'unknown'}): ${KIND_TEXT[difference.kind]}`)
    if (difference.kind !== 'changed') continue
    const width = Math.max(...difference.fields.map((field) => field.field.length))
    for (const field of difference.fields) {
      lines.push(`  ${field.field.padEnd(width)}  ${field.before ?? '(none)'} -> ${field.after ?? '(none)'}`)
    }
  }
  if (shown.length < report.differences.length) {
    lines.push('', `... and ${grouped(report.differences.length - shown.length)} more events (--json lists every one).`)
  }
  return lines.join('\n')
}

function count(report: SetComparison, kind: 'changed' | 'missing' | 'added'): number {
  return report.differences.filter((difference) => difference.kind === kind).length
}
