/**
 * The timeline chart, drawn with uPlot: participants per bucket as bars, the cumulative count
 * as a line on its own axis, ticks in the chosen time zone (uPlot.tzDate). uPlot was chosen
 * over Chart.js because it is ~50 KB instead of ~200 KB, redraws a live series cheaply on
 * canvas, and renders a time axis in any IANA zone natively (Chart.js needs a date adapter
 * plus a zone library for that).
 */
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Timeline } from '@event-analytics/query-api/schemas'
import { fmt } from './format.js'

export interface TimelineChart {
  update(timeline: Timeline): void
  destroy(): void
}

const HEIGHT = 260

export function createTimelineChart(container: HTMLElement): TimelineChart {
  let chart: uPlot | undefined
  let zone = 'UTC'
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
          },
        ],
      },
      data,
      container,
    )

  return {
    update(timeline) {
      const data: uPlot.AlignedData = [
        timeline.buckets.map((bucket) => Date.parse(bucket.bucketStart) / 1000),
        timeline.buckets.map((bucket) => bucket.participants),
        timeline.buckets.map((bucket) => bucket.cumulativeParticipants),
      ]
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
    },
    destroy() {
      resize.disconnect()
      chart?.destroy()
    },
  }
}
