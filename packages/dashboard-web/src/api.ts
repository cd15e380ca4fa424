/** The query API as the page uses it: same origin, the HttpOnly session cookie, JSON or problem+json. */

// The response types are the API's route schemas (type-only: erased from the bundle).
import type {
  AlertSettings,
  ChannelList,
  Dashboard,
  Me,
  Problem,
  Roi,
  Timeline,
  UserSummary,
  WebhookCreated,
  WebhookDeliveries,
  WebhookList,
} from '@event-analytics/query-api/schemas'

export class ApiError extends Error {
  constructor(readonly problem: Pick<Problem, 'status' | 'title' | 'detail'>) {
    super(problem.detail)
  }
}

async function request<T>(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as Problem | null
    throw new ApiError(problem ?? { status: response.status, title: response.statusText, detail: `request failed (${response.status})` })
  }
  return (response.status === 204 ? undefined : await response.json()) as T
}

const webhooks = (userId: string) => `/api/v1/users/${encodeURIComponent(userId)}/webhooks`
const events = (eventId: string) => `/api/v1/events/${encodeURIComponent(eventId)}/analytics`

export const api = {
  me: () => request<Me>('GET', '/auth/me'),
  signInWithToken: (token: string) => request<undefined>('POST', '/auth/session', { authorization: `Bearer ${token}` }),
  signOut: () => request<undefined>('POST', '/auth/logout'),
  owner: (userId: string, page: number, limit: number) =>
    request<UserSummary>('GET', `/api/v1/users/${encodeURIComponent(userId)}/analytics?page=${page}&limit=${limit}`),
  dashboard: (eventId: string) => request<Dashboard>('GET', events(eventId)),
  channels: (eventId: string) => request<ChannelList>('GET', `${events(eventId)}/channels`),
  roi: (eventId: string) => request<Roi>('GET', `${events(eventId)}/roi`),
  timeline: (eventId: string, granularity: string, tz: string) =>
    request<Timeline>('GET', `${events(eventId)}/timeline?granularity=${granularity}&tz=${encodeURIComponent(tz)}`),
  streamUrl: (eventId: string) => `${events(eventId)}/stream`,
  timelineCsvUrl: (eventId: string, granularity: string, tz: string) =>
    `${events(eventId)}/timeline.csv?granularity=${granularity}&tz=${encodeURIComponent(tz)}`,
  channelsCsvUrl: (eventId: string) => `${events(eventId)}/channels.csv`,
  alertSettings: (userId: string) => request<AlertSettings>('GET', `/api/v1/users/${encodeURIComponent(userId)}/alert-settings`),
  /** `thresholds` as the form read them: the API validates and names a refused field. */
  saveAlertSettings: (userId: string, thresholds: Record<string, unknown>) =>
    request<AlertSettings>('PUT', `/api/v1/users/${encodeURIComponent(userId)}/alert-settings`, {}, thresholds),
  webhooks: (userId: string) => request<WebhookList>('GET', webhooks(userId)),
  addWebhook: (userId: string, url: string) => request<WebhookCreated>('POST', webhooks(userId), {}, { url }),
  deleteWebhook: (userId: string, id: number) => request<undefined>('DELETE', `${webhooks(userId)}/${id}`),
  webhookDeliveries: (userId: string) => request<WebhookDeliveries>('GET', `${webhooks(userId)}/deliveries?limit=20`),
}
