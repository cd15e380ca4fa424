/**
 * The timeline chart, drawn with uPlot: participants per bucket as bars, the cumulative count
 * as a line on its own axis, ticks in the chosen time zone (uPlot.tzDate). uPlot was chosen
 * over Chart.js because it is ~50 KB instead of ~200 KB, redraws a live series cheaply on
 * canvas, and renders a time axis in any IANA zone natively (Chart.js needs a date adapter
 * plus a zone library for that).
 */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Pacing, Timeline } from '@event-analytics/query-api/schemas'
import { fmt } from './format.js'

export interface TimelineChart {
  update(timeline: Timeline): void
  /** The pacing projection drawn to endsAt (null: none), kept across timeline updates. */
  project(pacing: Pacing | null): void
  destroy(): void
}

const PROJECTION_COLOR = '#7c3aed'

/**
 * The timeline's series plus the projection of the cumulative count: from (asOf, participants)
 * towards (endsAt, projected), dashed, with the low/high range as two thin lines and a band between.
 * Extra x values (asOf, endsAt) carry no bars; the cumulative line spans them as a gap.
 */
function chartData(timeline: Timeline, pacing: Pacing | null): uPlot.AlignedData {
  const rows = timeline.buckets.map((bucket) => ({
    x: Date.parse(bucket.bucketStart) / 1000,
    count: bucket.participants as number | null,
    total: bucket.cumulativeParticipants as number | null,
    projected: [null, null, null] as (number | null)[],
  }))
  const projection = pacing?.projection ?? null
  if (pacing !== null && projection !== null) {
    const at = (x: number) => {
      let row = rows.find((candidate) => candidate.x === x)
      if (row === undefined) {
        row = { x, count: null, total: null, projected: [null, null, null] }
        rows.push(row)
      }
      return row
    }
    const from = Date.parse(pacing.asOf) / 1000
    const to = Date.parse(projection.at) / 1000
    // Drawn no further past asOf than the timeline spans (at least a day): a four-week schedule
    // would squeeze a day of bars into a sliver. The projection is linear, so where the line
    // stops is exact; the pace card names the figures at endsAt.
    const horizon = Math.min(to, from + Math.max(from - (rows[0]?.x ?? from), 24 * 3600))
    const share = to > from ? (horizon - from) / (to - from) : 1
    const along = (value: number): number => Math.round(pacing.participants + (value - pacing.participants) * share)
    at(from).projected = [pacing.participants, pacing.participants, pacing.participants]
    const { expected, low, high } = projection.participants
    at(horizon).projected = [along(expected), along(high), along(low)]
    rows.sort((a, b) => a.x - b.x)
  }
  return [
    rows.map((row) => row.x),
    rows.map((row) => row.count),
    rows.map((row) => row.total),
    rows.map((row) => row.projected[0] ?? null),
    rows.map((row) => row.projected[1] ?? null),
    rows.map((row) => row.projected[2] ?? null),
  ]
}

const HEIGHT = 260

export function createTimelineChart(container: HTMLElement): TimelineChart {
  let chart: uPlot | undefined
  let zone = 'UTC'
  let timeline: Timeline | undefined
  let pacing: Pacing | null = null
  const width = (): number => Math.max(280, container.clientWidth)
  const resize = new ResizeObserver(() => chart?.setSize({ width: width(), height: HEIGHT }))
  resize.observe(container)

  const build = (data: uPlot.AlignedData): uPlot =>
    new uPlot(
      {
        width: width(),
        height: HEIGHT,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: { x: { time: true }, count: { auto: true }, total: { auto: true } },
        axes: [
          { stroke: '#475569', grid: { stroke: '#e2e8f0' } },
          { scale: 'count', stroke: '#2563eb', grid: { stroke: '#e2e8f0' }, values: (_u, ticks) => ticks.map((tick) => fmt.compact(tick)) },
          {
            scale: 'total',
            side: 1,
            stroke: '#b45309',
            grid: { show: false },
            values: (_u, ticks) => ticks.map((tick) => fmt.compact(tick)),
          },
        ],
        series: [
          { label: 'Time' },
          {
            label: 'Participants',
            scale: 'count',
            stroke: '#2563eb',
            fill: 'rgba(37, 99, 235, 0.35)',
            width: 1,
            paths: uPlot.paths.bars!({ size: [0.7, 40] }),
            points: { show: false },
            value: (_u, v) => (v === null ? '—' : fmt.count(v)),
          },
          {
            label: 'Cumulative',
            scale: 'total',
            stroke: '#b45309',
            width: 2,
            points: { show: false },
            value: (_u, v) => (v === null ? '—' : fmt.count(v)),
            spanGaps: true,
          },
          {
            label: 'Projected',
            scale: 'total',
            stroke: PROJECTION_COLOR,
            width: 2,
            dash: [8, 5],
            spanGaps: true,
            points: { show: true, size: 6 },
            value: (_u, v) => (v === null ? '—' : fmt.count(v)),
          },
          {
            label: 'Projected high',
            scale: 'total',
            stroke: PROJECTION_COLOR,
            width: 1,
            dash: [2, 3],
            spanGaps: true,
            points: { show: false },
          },
          {
            label: 'Projected low',
            scale: 'total',
            stroke: PROJECTION_COLOR,
            width: 1,
            dash: [2, 3],
            spanGaps: true,
            points: { show: false },
          },
        ],
        bands: [{ series: [4, 5], fill: 'rgba(124, 58, 237, 0.12)' }],
      },
      data,
      container,
    )

  const draw = (): void => {
    if (timeline === undefined) return
    const data = chartData(timeline, pacing)
    // A new zone changes every tick label: rebuild; otherwise only the data moves.
    if (chart === undefined || zone !== timeline.tz) {
      zone = timeline.tz
      chart?.destroy()
      chart = build(data)
    } else {
      chart.setData(data)
    }
    container.dataset['buckets'] = String(timeline.buckets.length)
    container.dataset['cumulative'] = String(timeline.buckets.at(-1)?.cumulativeParticipants ?? 0)
    const projection = pacing?.projection ?? null
    if (projection === null) delete container.dataset['projection']
    else
      container.dataset['projection'] =
        `${projection.participants.low}..${projection.participants.expected}..${projection.participants.high}`
  }

  return {
    update(next) {
      timeline = next
      draw()
    },
    project(next) {
      const before = JSON.stringify(pacing?.projection ?? null) + (pacing?.asOf ?? '')
      pacing = next
      if (before !== JSON.stringify(next?.projection ?? null) + (next?.asOf ?? '')) draw()
    },
    destroy() {
      resize.disconnect()
      chart?.destroy()
    },
  }
}
