/** auditAlerts names every broken invariant of the alert store, and nothing when it holds. */
import t from 'tap'
import { sql } from 'kysely'
import { auditAlerts, lockAlertEvaluation, openAlert, resolveAlert, type AlertFinding } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

const finding = (channelName: string): AlertFinding => ({
  eventId: 'evt-audit',
  userId: 'owner-audit',
  rule: 'channel_cost_high',
  channelName,
  details: {},
})

t.test('opened and resolved once each: a clean audit', async (t) => {
  const { db } = await createTestDatabase(t)
  const at = new Date('2026-12-06T10:00:00Z')
  await db.transaction().execute(async (trx) => {
    await lockAlertEvaluation(trx)
    const first = await openAlert(trx, finding('A'), at)
    await openAlert(trx, finding('B'), at)
    t.ok(first !== undefined, 'opened')
    await resolveAlert(trx, first!.alert_id, at)
  })
  t.same(await auditAlerts(db), { opened: 2, resolved: 1, doubledOpen: [], badTransitions: [] })
})

t.test('a transition written twice, one missing and one without its alert are each named', async (t) => {
  const { db } = await createTestDatabase(t)
  const at = new Date('2026-12-06T10:00:00Z')
  const opened = await db.transaction().execute(async (trx) => {
    await lockAlertEvaluation(trx)
    return [await openAlert(trx, finding('A'), at), await openAlert(trx, finding('B'), at)]
  })
  const [a, b] = opened.map((transition) => transition!.alert_id)
  await sql`DROP INDEX alert_transitions_once`.execute(db)
  await sql`INSERT INTO alert_transitions (alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details)
            SELECT alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details FROM alert_transitions WHERE alert_id = ${a}`.execute(
    db,
  )
  await sql`DELETE FROM alert_transitions WHERE alert_id = ${b}`.execute(db)
  await sql`INSERT INTO alert_transitions (alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details)
            VALUES (999999, 'owner-audit', 'evt-audit', 'channel_cost_high', 'C', 'open', ${at}, '{}'::jsonb)`.execute(db)
  const audit = await auditAlerts(db)
  t.equal(audit.badTransitions.length, 3, audit.badTransitions.join('; '))
  t.match(audit.badTransitions.join('\n'), new RegExp(`alert ${a} \\(open\\): 2 open`))
  t.match(audit.badTransitions.join('\n'), new RegExp(`alert ${b} \\(open\\): 0 open`))
  t.match(audit.badTransitions.join('\n'), /names no alert \(999999\)/)
})

t.test('two open alerts of one key are named', async (t) => {
  const { db } = await createTestDatabase(t)
  await sql`DROP INDEX alerts_one_open`.execute(db)
  for (let copy = 0; copy < 2; copy += 1) {
    await db
      .insertInto('alerts')
      .values({
        event_id: 'evt-audit',
        user_id: 'owner-audit',
        rule: 'channel_silent',
        channel_name: 'A',
        state: 'open',
        opened_at: new Date(),
        details: '{}',
      })
      .execute()
  }
  t.same((await auditAlerts(db)).doubledOpen, ['evt-audit|channel_silent|A'])
})
