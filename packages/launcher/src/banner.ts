/** The "it is up" message: where to look and how to authenticate. */
export interface BannerInput {
  readonly apiBaseUrl: string
  readonly token: string
  readonly skipped: readonly string[]
  /** The simulator's id prefix: its owners are <prefix>-owner-N, events <prefix>-ev-N-M. */
  readonly idPrefix: string
  /** Whether Ctrl-C also stops Kafka and the registry (this run started them). */
  readonly stopsStack: boolean
  /** The page's one-time sign-in link for an owner whose events are running; null: none found in time. */
  readonly dashboard?: { readonly link: string; readonly userId: string; readonly title: string } | null
}

function dashboardLines(input: BannerInput): string[] {
  if (input.dashboard === undefined) return []
  if (input.dashboard === null)
    return [`    Dashboard        ${input.apiBaseUrl}/   (no running campaign yet: sign in with the token below)`]
  return [
    `    Dashboard        ${input.dashboard.link}`,
    `                     signs in as ${input.dashboard.userId} (running: ${input.dashboard.title}); the link works once, for 15 min`,
  ]
}

export function banner(input: BannerInput): string {
  const { apiBaseUrl, token } = input
  const lines = [
    '',
    '==> event analytics is running',
    ...dashboardLines(input),
    `    API              ${apiBaseUrl}/api/v1   (e.g. GET /api/v1/users/<userId>/analytics)`,
    `    Swagger UI       ${apiBaseUrl}/docs`,
    `    Queue board      ${apiBaseUrl}/admin/queues?token=${token}`,
    `    Metrics          ${apiBaseUrl}/metrics, http://127.0.0.1:9101/metrics (ingest), http://127.0.0.1:9102/metrics (aggregator), http://127.0.0.1:9103/metrics (webhooks)`,
    '    Operator token (valid 24 h):',
    `      ${token}`,
    `    Try:  TOKEN=${token}`,
    `          curl -H "Authorization: Bearer $TOKEN" ${apiBaseUrl}/api/v1/users/${input.idPrefix}-owner-1/analytics`,
    `          curl -H "Authorization: Bearer $TOKEN" ${apiBaseUrl}/api/v1/events/${input.idPrefix}-ev-1-1/analytics`,
    "          (the history is back-filled at the simulator's pace: figures grow during the first minute)",
    ...input.skipped.map((name) => `    Skipped: ${name}`),
    input.stopsStack
      ? '    Ctrl-C stops the services, the simulator, Kafka and the registry (PostgreSQL and Redis are machine services and stay).'
      : '    Ctrl-C stops the services and the simulator; the local stack was up before and stays up (`pnpm stack down` stops it).',
    '',
  ]
  return lines.join('\n')
}
