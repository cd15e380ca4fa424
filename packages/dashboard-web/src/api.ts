/** The query API as the page uses it: same origin, the HttpOnly session cookie, JSON or problem+json. */

export interface Problem {
  status: number
  title: string
  detail: string
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail)
  }
}

export interface DashboardChannel {
  channelName: string
  channelType: string | null
  participants: number
  views: number
  distributionCost: string
  participationRate: string | null
  costPerParticipant: string | null
  stale: boolean
}

export interface Dashboard {
  event: { eventId: string; title: string; userId: string; status: string }
  summary: {
    totalParticipants: number
    totalViews: number
    totalInvestment: string
    expectedRevenue: string
    estimatedRevenue: string
    estimatedRoi: string
    targetRoi: string
    roiAchievementRate: string | null
    salesGrowthRate: string | null
  }
  channels: DashboardChannel[]
  updatedAt: string
  asOf: string | null
}

export interface Channel extends DashboardChannel {
  distributionCount: number
  impressions: number
  clicks: number
  conversions: number
  engagement: number
  ctr: string | null
  conversionRate: string | null
  callCompletionRate: string | null
  metricsAsOf: string | null
}

export interface Roi {
  investment: {
    ownInvestment: string
    distributionCost: string
    totalInvestment: string
    channels: { channelName: string; channelType: string | null; distributionCount: number; distributionCost: string }[]
  }
  revenue: { expectedRevenue: string; estimatedRevenue: string; expectedParticipants: number | null; totalParticipants: number }
  estimatedRoi: string
  targetRoi: string
  roiAchievementRate: string | null
  salesGrowthRate: string | null
  asOf: string | null
}

export interface TimelineBucket {
  bucketStart: string
  bucketEnd: string
  participants: number
  views: number
  engagement: number
  conversions: number
  cumulativeParticipants: number
}

export interface Timeline {
  granularity: string
  tz: string
  from: string
  to: string
  buckets: TimelineBucket[]
  asOf: string | null
}

export interface OwnerSummary {
  userId: string
  totals: {
    events: number
    totalParticipants: number
    totalViews: number
    totalInvestment: string
    expectedRevenue: string
    estimatedRevenue: string
    estimatedRoi: string
  }
  channelTypes: {
    channelType: string | null
    channels: number
    participants: number
    views: number
    clicks: number
    conversions: number
    distributionCost: string
    participationRate: string | null
    costPerParticipant: string | null
  }[]
  events: {
    items: {
      eventId: string
      title: string
      status: string
      totalParticipants: number
      totalViews: number
      totalInvestment: string
      estimatedRoi: string
      createdAt: string
    }[]
    page: number
    limit: number
    total: number
  }
  asOf: string | null
}

/** The `pipeline` frames of the stream. */
export interface Pipeline {
  asOf: string | null
  ageSeconds: number | null
  lagSeconds: number | null
  sentAt: string
}

async function request<T>(method: string, path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, { method, headers: { accept: 'application/json', ...headers }, credentials: 'same-origin' })
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as Problem | null
    throw new ApiError(problem ?? { status: response.status, title: response.statusText, detail: `request failed (${response.status})` })
  }
  return (response.status === 204 ? undefined : await response.json()) as T
}

const events = (eventId: string) => `/api/v1/events/${encodeURIComponent(eventId)}/analytics`

export const api = {
  me: () => request<{ sub: string; operator: boolean }>('GET', '/auth/me'),
  signInWithToken: (token: string) => request<undefined>('POST', '/auth/session', { authorization: `Bearer ${token}` }),
  signOut: () => request<undefined>('POST', '/auth/logout'),
  owner: (userId: string, page: number, limit: number) =>
    request<OwnerSummary>('GET', `/api/v1/users/${encodeURIComponent(userId)}/analytics?page=${page}&limit=${limit}`),
  dashboard: (eventId: string) => request<Dashboard>('GET', events(eventId)),
  channels: (eventId: string) => request<{ channels: Channel[]; asOf: string | null }>('GET', `${events(eventId)}/channels`),
  roi: (eventId: string) => request<Roi>('GET', `${events(eventId)}/roi`),
  timeline: (eventId: string, granularity: string, tz: string) =>
    request<Timeline>('GET', `${events(eventId)}/timeline?granularity=${granularity}&tz=${encodeURIComponent(tz)}`),
  streamUrl: (eventId: string) => `${events(eventId)}/stream`,
  timelineCsvUrl: (eventId: string, granularity: string, tz: string) =>
    `${events(eventId)}/timeline.csv?granularity=${granularity}&tz=${encodeURIComponent(tz)}`,
  channelsCsvUrl: (eventId: string) => `${events(eventId)}/channels.csv`,
}
