import { setTimeout as sleep } from 'node:timers/promises'
/**
 * Which simulated owner the sign-in link should open: one whose events are running (ACTIVE,
 * with participants), asked of the API itself, so the banner never points at a campaign that
 * ended long ago and shows zeros. The simulator back-fills history at its own pace, so the
 * launcher waits a little for the first participants.
 */
export interface LiveOwner {
  readonly userId: string
  readonly eventId: string
  readonly title: string
}

interface OwnerEvents {
  events: { items: { eventId: string; title: string; status: string; totalParticipants: number }[] }
}

export async function findLiveOwner(
  apiBaseUrl: string,
  token: string,
  userIds: readonly string[],
  timeoutMs: number,
): Promise<LiveOwner | null> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let best: (LiveOwner & { participants: number }) | null = null
    for (const userId of userIds) {
      const response = await fetch(`${apiBaseUrl}/api/v1/users/${encodeURIComponent(userId)}/analytics?limit=100`, {
        headers: { authorization: `Bearer ${token}` },
      }).catch(() => null)
      if (response === null || !response.ok) continue
      const body = (await response.json()) as OwnerEvents
      for (const event of body.events.items) {
        if (event.status !== 'ACTIVE' || event.totalParticipants === 0) continue
        if (best === null || event.totalParticipants > best.participants) {
          best = { userId, eventId: event.eventId, title: event.title, participants: event.totalParticipants }
        }
      }
    }
    if (best !== null) return { userId: best.userId, eventId: best.eventId, title: best.title }
    if (Date.now() >= deadline) return null
    await sleep(1000)
  }
}
