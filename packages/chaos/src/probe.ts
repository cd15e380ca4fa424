import { setTimeout as sleep } from 'node:timers/promises'
/**
 * Availability during a fault: polls /ready of every service and one API projection with a
 * client timeout. A timeout is a hang (the acceptance forbids it); a 503 must name the
 * missing dependency; a 200 from the API during the fault is served from cache or PostgreSQL.
 */

export interface ProbeTarget {
  readonly name: string
  readonly url: string
  readonly headers?: Record<string, string>
  /** A readiness endpoint: a 503 body must name a failing check. */
  readonly readiness: boolean
}

export interface Sample {
  readonly target: string
  readonly outcome: number | 'timeout' | 'refused'
  readonly ms: number
  readonly cache?: string
  /** Failing checks named by a 503 /ready. */
  readonly failing?: string[]
}

export interface ProbeSummary {
  readonly target: string
  readonly samples: number
  /** outcome -> count, e.g. {"200": 10, "503": 4}. */
  readonly outcomes: Record<string, number>
  readonly maxMs: number
  /** Dependencies /ready named as failing at least once. */
  readonly named: string[]
  readonly cacheHits: number
}

export const CLIENT_TIMEOUT_MS = 5000

export async function sample(target: ProbeTarget): Promise<Sample> {
  const started = Date.now()
  try {
    const response = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) })
    const text = await response.text()
    const ms = Date.now() - started
    const cache = response.headers.get('x-cache') ?? undefined
    const failing = target.readiness && response.status === 503 ? failingChecks(text) : undefined
    return {
      target: target.name,
      outcome: response.status,
      ms,
      ...(cache === undefined ? {} : { cache }),
      ...(failing === undefined ? {} : { failing }),
    }
  } catch (error) {
    const ms = Date.now() - started
    const name = (error as { name?: string }).name
    return { target: target.name, outcome: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'refused', ms }
  }
}

/** Names of the failing checks of an ops readiness report ({ready, checks: {name: {ok}}}). */
export function failingChecks(body: string): string[] {
  try {
    const report = JSON.parse(body) as { checks?: Record<string, { ok?: boolean }> }
    return Object.entries(report.checks ?? {})
      .filter(([, check]) => check.ok !== true)
      .map(([name]) => name)
      .sort()
  } catch {
    return []
  }
}

export function summarise(samples: readonly Sample[]): ProbeSummary[] {
  const targets = [...new Set(samples.map((s) => s.target))]
  return targets.map((target) => {
    const own = samples.filter((s) => s.target === target)
    const outcomes: Record<string, number> = {}
    for (const s of own) outcomes[String(s.outcome)] = (outcomes[String(s.outcome)] ?? 0) + 1
    return {
      target,
      samples: own.length,
      outcomes,
      maxMs: Math.max(0, ...own.map((s) => s.ms)),
      named: [...new Set(own.flatMap((s) => s.failing ?? []))].sort(),
      cacheHits: own.filter((s) => s.cache === 'hit').length,
    }
  })
}

export interface Poller {
  stop(): Promise<Sample[]>
}

/** Polls every target every `everyMs` (targets in parallel, one request per target in flight). */
export function startPolling(targets: readonly ProbeTarget[], everyMs = 300): Poller {
  const samples: Sample[] = []
  let running = true
  const loops = targets.map(async (target) => {
    while (running) {
      samples.push(await sample(target))
      await sleep(everyMs)
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(loops)
      return samples
    },
  }
}
