/**
 * A rebuild's progress from Kafka's offsets alone: per partition, what the rebuild's group has
 * committed between the earliest retained offset and the end of the log. A committed offset is
 * never past an unsettled message (ARCHITECTURE.md), so "done" means applied or dead-lettered.
 */

export interface PartitionOffsets {
  readonly topic: string
  readonly partition: number
  /** Earliest retained offset: below it, retention deleted the messages. */
  readonly low: number
  /** End of the log (next offset to be written). */
  readonly high: number
  /** The group's committed offset; -1 before its first commit. */
  readonly committed: number
}

export interface PartitionProgress extends PartitionOffsets {
  /** Messages still to apply: high - max(committed, low). */
  readonly lag: number
  /** Messages applied or dead-lettered: max(committed, low) - low. */
  readonly done: number
}

export interface Progress {
  readonly partitions: readonly PartitionProgress[]
  readonly lag: number
  readonly done: number
  /** Retained messages in all (done + lag). */
  readonly total: number
  /** Partitions whose log no longer starts at offset 0: retention deleted messages the rebuild cannot read. */
  readonly truncated: readonly PartitionOffsets[]
}

export function progressOf(offsets: readonly PartitionOffsets[]): Progress {
  const partitions = offsets.map((p) => {
    const position = Math.max(p.committed, p.low)
    return { ...p, lag: Math.max(0, p.high - position), done: position - p.low }
  })
  const lag = partitions.reduce((sum, p) => sum + p.lag, 0)
  const done = partitions.reduce((sum, p) => sum + p.done, 0)
  return { partitions, lag, done, total: lag + done, truncated: offsets.filter((p) => p.low > 0) }
}

/**
 * Rate of progress over a sliding window of samples, and the time left at that rate. The window
 * (default 30 s) smooths the batch-by-batch commits without hiding a rebuild that slowed down.
 */
export class RateEstimator {
  private readonly samples: { at: number; done: number }[] = []

  constructor(private readonly windowMs = 30_000) {}

  add(at: number, done: number): void {
    this.samples.push({ at, done })
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift()
  }

  /** Messages per second over the window; undefined until two samples span some time. */
  rate(): number | undefined {
    const first = this.samples[0]
    const last = this.samples.at(-1)
    if (first === undefined || last === undefined || last.at <= first.at) return undefined
    return ((last.done - first.done) * 1000) / (last.at - first.at)
  }

  /** Seconds until `lag` is worked off; undefined while unknown or not moving. */
  etaSeconds(lag: number): number | undefined {
    if (lag === 0) return 0
    const rate = this.rate()
    return rate === undefined || rate <= 0 ? undefined : lag / rate
  }
}

/** `[#########-----------]  45.2 %  120,000 / 265,000  lag 145,000  3,100 msg/s  ETA 47 s`, one line. */
export function progressLine(progress: Progress, rate: number | undefined, etaSeconds: number | undefined, width = 30): string {
  const fraction = progress.total === 0 ? 1 : progress.done / progress.total
  const filled = Math.round(fraction * width)
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
  const percent = `${(fraction * 100).toFixed(1).padStart(5)} %`
  const count = `${grouped(progress.done)} / ${grouped(progress.total)}`
  const speed = rate === undefined ? 'rate ?' : `${grouped(Math.round(rate))} msg/s`
  return `${bar} ${percent}  ${count}  lag ${grouped(progress.lag)}  ${speed}  ETA ${duration(etaSeconds)}`
}

/** One line per partition: topic[partition] committed/high, lag. */
export function partitionLines(progress: Progress): string[] {
  return progress.partitions.map(
    (p) =>
      `  ${p.topic}[${p.partition}]  earliest ${grouped(p.low)}  committed ${p.committed < 0 ? '-' : grouped(p.committed)}  end ${grouped(p.high)}  lag ${grouped(p.lag)}`,
  )
}

export function grouped(value: number): string {
  return value.toLocaleString('en-US')
}

export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}
