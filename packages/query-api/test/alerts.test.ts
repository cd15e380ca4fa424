/**
 * The alert routes on a real PostgreSQL: an event's alerts (open first, then resolved), the
 * dashboard carrying the open ones, and the owner's settings (defaults, saving, and every bad
 * input refused with a problem naming the field).
 */
import t from 'tap'
import { cacheKeys } from '@event-analytics/contracts'
import { openAlert, resolveAlert } from '@event-analytics/db'
import type { AlertFinding } from '@event-analytics/db'
import { bearer, createHarness } from './helpers.js'

const NOW = new Date()
const minutesAgo = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000)

const VALID = {
  channelSilentEnabled: true,
  channelSilentHours: 12,
  channelCostHighEnabled: false,
  channelCostFactor: '3.50',
  providerStaleEnabled: true,
  providerStaleMinutes: 30,
  paceLowEnabled: true,
  paceRatio: '0.75',
  roiProjectedLowEnabled: false,
}

t.test('alerts and settings', async (t) => {
  const h = await createHarness(t)
  const { db } = h.testDb
  await db
    .insertInto('event_stats')
    .values({ event_id: 'evt-a', user_id: 'owner-1', title: 'Fair', event_created_at: minutesAgo(600) })
    .execute()
  const finding = (rule: AlertFinding['rule'], channelName: string | null): AlertFinding => ({
    eventId: 'evt-a',
    userId: 'owner-1',
    rule,
    channelName,
    details: { silentHours: 6 },
  })
  await db.transaction().execute(async (trx) => {
    const resolved = await openAlert(trx, finding('provider_stale', 'KAKAO'), minutesAgo(300))
    if (resolved !== undefined) await resolveAlert(trx, resolved.alert_id, minutesAgo(200))
    await openAlert(trx, finding('channel_silent', 'NAVER'), minutesAgo(100))
    await openAlert(trx, finding('channel_cost_high', 'KAKAO'), minutesAgo(50))
  })
  const owner = bearer(await h.token('owner-1'))
  const stranger = bearer(await h.token('owner-2'))

  t.test('GET /events/{eventId}/alerts: open ones newest first, then the resolved', async (t) => {
    const response = await h.app.inject({ url: '/api/v1/events/evt-a/alerts', headers: owner })
    t.equal(response.statusCode, 200)
    const body = response.json<{
      eventId: string
      alerts: { rule: string; state: string; channelName: string; resolvedAt: string | null }[]
    }>()
    t.same(
      body.alerts.map((alert) => [alert.rule, alert.channelName, alert.state]),
      [
        ['channel_cost_high', 'KAKAO', 'open'],
        ['channel_silent', 'NAVER', 'open'],
        ['provider_stale', 'KAKAO', 'resolved'],
      ],
    )
    t.equal(body.alerts[2]?.resolvedAt, minutesAgo(200).toISOString())
    const foreign = await h.app.inject({ url: '/api/v1/events/evt-a/alerts', headers: stranger })
    t.equal(foreign.statusCode, 404, "another owner's event is not found")
    t.match(foreign.headers['content-type'], /^application\/problem\+json/)
    t.equal((await h.app.inject({ url: '/api/v1/events/evt-a/alerts' })).statusCode, 401)
  })

  t.test('the dashboard carries the open alerts, fresh after an announcement', async (t) => {
    const first = await h.app.inject({ url: '/api/v1/events/evt-a/analytics', headers: owner })
    t.same(
      first.json<{ alerts: { rule: string }[] }>().alerts.map((alert) => alert.rule),
      ['channel_cost_high', 'channel_silent'],
    )
    const open = await db.selectFrom('alerts').select('id').where('rule', '=', 'channel_silent').executeTakeFirstOrThrow()
    await db.transaction().execute((trx) => resolveAlert(trx, open.id, NOW))
    await h.invalidate([cacheKeys.dashboard('evt-a')], ['evt-a'])
    const second = await h.app.inject({ url: '/api/v1/events/evt-a/analytics', headers: owner })
    t.same(
      second.json<{ alerts: { rule: string }[] }>().alerts.map((alert) => alert.rule),
      ['channel_cost_high'],
    )
  })

  t.test('settings: the defaults, then what the owner saved', async (t) => {
    const defaults = await h.app.inject({ url: '/api/v1/users/owner-1/alert-settings', headers: owner })
    t.equal(defaults.statusCode, 200)
    t.match(defaults.json(), {
      userId: 'owner-1',
      saved: false,
      thresholds: { channelSilentHours: 6, channelCostFactor: '2.00', providerStaleMinutes: 60, paceRatio: '0.80' },
    })
    const saved = await h.app.inject({ method: 'PUT', url: '/api/v1/users/owner-1/alert-settings', headers: owner, payload: VALID })
    t.equal(saved.statusCode, 200, saved.body)
    t.same(saved.json(), { userId: 'owner-1', saved: true, thresholds: VALID })
    const read = await h.app.inject({ url: '/api/v1/users/owner-1/alert-settings', headers: owner })
    t.same(read.json(), { userId: 'owner-1', saved: true, thresholds: VALID })
    const foreign = await h.app.inject({ method: 'PUT', url: '/api/v1/users/owner-1/alert-settings', headers: stranger, payload: VALID })
    t.equal(foreign.statusCode, 404, "another owner's settings are not found")
  })

  t.test('settings: bad input is refused, naming the field', async (t) => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['hours above the range', { ...VALID, channelSilentHours: 169 }, /channelSilentHours/],
      ['hours not an integer', { ...VALID, channelSilentHours: 1.5 }, /channelSilentHours/],
      ['factor below 1', { ...VALID, channelCostFactor: '0.50' }, /channelCostFactor must be between 1 and 100/],
      ['factor with three decimals', { ...VALID, channelCostFactor: '2.125' }, /channelCostFactor/],
      ['pace ratio 0', { ...VALID, paceRatio: '0' }, /paceRatio must be above 0/],
      ['pace ratio above 1', { ...VALID, paceRatio: '1.20' }, /paceRatio/],
      ['stale minutes too small', { ...VALID, providerStaleMinutes: 1 }, /providerStaleMinutes/],
      ['a field missing', { ...VALID, paceRatio: undefined }, /paceRatio/],
      ['an unknown field', { ...VALID, silentHours: 3 }, /unknown field "silentHours"/],
    ]
    for (const [name, payload, detail] of cases) {
      const response = await h.app.inject({ method: 'PUT', url: '/api/v1/users/owner-1/alert-settings', headers: owner, payload })
      t.equal(response.statusCode, 400, name)
      t.match(response.headers['content-type'], /^application\/problem\+json/, name)
      t.match(response.json<{ detail: string }>().detail, detail, name)
    }
    const read = await h.app.inject({ url: '/api/v1/users/owner-1/alert-settings', headers: owner })
    t.same(read.json<{ thresholds: unknown }>().thresholds, VALID, 'nothing refused was stored')
  })
  t.same(h.serverErrors, [])
})
