/** Flags of the `simulate` command, parsed and validated without I/O. */
import { parseArgs } from 'node:util'

export interface SimulateArgs {
  readonly rate: number
  /** Seconds; null: until stopped (or --events reached). */
  readonly durationSeconds: number | null
  /** Total messages to send; null: unbounded. */
  readonly events: number | null
  readonly seed: number
  readonly owners: number
  readonly eventsPerOwner: number
  /** Participants of the back-filled history before the live traffic. */
  readonly history: number
  readonly spanHours: number
  readonly printTruth: boolean
  readonly idPrefix: string | undefined
}

export const USAGE = `usage: simulate [--rate 50] [--duration 60 | --events 5000] [--seed N] [--owners 3]
                [--events-per-owner 2] [--history 1000] [--span-hours 24] [--id-prefix X] [--print-truth]
  --rate            messages per second (default 50)
  --duration        seconds to run (default: until Ctrl-C, or until --events are sent)
  --events          number of messages to send, then stop
  --seed            scenario seed (default: from the clock); same seed + prefix = same messages
  --owners, --events-per-owner   size of the cast (default 3 x 2)
  --history         participants spread over the past --span-hours before live traffic (default 1000)
  --id-prefix       prefix of ids (default sim<seed>), at most 16 characters
  --print-truth     print the ground truth (JSON) of what was sent on stdout at the end`

export class UsageError extends Error {
  override name = 'UsageError'
}

function positive(name: string, text: string | undefined, fallback: number, integer = true): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`)
  }
  return value
}

export function parseSimulateArgs(argv: readonly string[], now: number): SimulateArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      options: {
        rate: { type: 'string' },
        duration: { type: 'string' },
        events: { type: 'string' },
        seed: { type: 'string' },
        owners: { type: 'string' },
        'events-per-owner': { type: 'string' },
        history: { type: 'string' },
        'span-hours': { type: 'string' },
        'id-prefix': { type: 'string' },
        'print-truth': { type: 'boolean', default: false },
      },
      strict: true,
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values } = parsed
  const seed = values.seed === undefined ? now % 1_000_000_000 : Number(values.seed)
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got "${values.seed}"`)
  return {
    rate: positive('rate', values.rate, 50, false),
    durationSeconds: values.duration === undefined ? null : positive('duration', values.duration, 0, false),
    events: values.events === undefined ? null : positive('events', values.events, 0),
    seed,
    owners: positive('owners', values.owners, 3),
    eventsPerOwner: positive('events-per-owner', values['events-per-owner'], 2),
    history: values.history === '0' ? 0 : positive('history', values.history, 1000),
    spanHours: positive('span-hours', values['span-hours'], 24),
    printTruth: values['print-truth'],
    idPrefix: values['id-prefix'],
  }
}

/** How many more messages are due after `elapsedMs` at `rate`/s, given `sent` so far, capped by the total. */
export function dueMessages(sent: number, elapsedMs: number, rate: number, total: number | null): number {
  const target = Math.floor((elapsedMs / 1000) * rate) + 1
  const capped = total === null ? target : Math.min(total, target)
  return Math.max(0, capped - sent)
}
