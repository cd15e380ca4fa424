/** Participant-proportional counters: believable sizes, monotone in participants, each type its own measures. */
import t from 'tap'
import { createProviderSim, metricsFromParticipants } from '../src/index.js'

const at = Date.UTC(2026, 2, 5)

t.test('a 4,780-participant promotion shows views in the tens or hundreds of thousands', async (t) => {
  for (const channel of ['INSTAGRAM', 'GENIE_TV', 'RINGO_BIZ', 'KAKAO']) {
    const sns = metricsFromParticipants('sns', 'cafe-1', channel, 4780, at)
    t.ok(sns.views >= 4780 / 0.06 - 1 && sns.views <= 4780 / 0.015 + 1, `${channel}: ${sns.views} views`)
    t.ok(sns.impressions >= sns.views && sns.clicks <= sns.views && sns.conversions <= sns.clicks)
  }
  t.equal(metricsFromParticipants('tv', 'cafe-1', 'GENIE_TV', 4780, at).likes, 0, 'TV reports no engagement')
  const voice = metricsFromParticipants('voice', 'cafe-1', 'RINGO_BIZ', 4780, at)
  t.ok(voice.totalCalls >= 4780 && voice.completedCalls <= voice.totalCalls)
  t.same(metricsFromParticipants('sns', 'cafe-1', 'KAKAO', 0, at).views, 0)
})

t.test('never backwards while participants grow', async (t) => {
  let previous = metricsFromParticipants('sns', 'e', 'c', 0, at)
  for (let participants = 1; participants < 3000; participants += 7) {
    const next = metricsFromParticipants('sns', 'e', 'c', participants, at)
    for (const key of ['impressions', 'views', 'clicks', 'conversions', 'likes', 'comments', 'shares'] as const) {
      if (next[key] < previous[key]) t.fail(`${key} went backwards at ${participants}`)
    }
    previous = next
  }
  t.pass('monotone')
})

t.test('over HTTP: the hint is used in participants mode, ignored in time mode', async (t) => {
  const proportional = await createProviderSim({ port: 0, mode: 'participants', now: () => at })
  const timed = await createProviderSim({ port: 0, now: () => at })
  t.teardown(async () => {
    await proportional.close()
    await timed.close()
  })
  const query = '/v1/metrics?eventId=cafe-1&channelName=INSTAGRAM&participants=4780'
  const answer = (await (await fetch(`${proportional.baseUrl('sns')}${query}`)).json()) as { views: number }
  t.equal(answer.views, metricsFromParticipants('sns', 'cafe-1', 'INSTAGRAM', 4780, at).views)
  const old = (await (await fetch(`${timed.baseUrl('sns')}${query}`)).json()) as { views: number }
  t.ok(old.views > 1_000_000, "time mode keeps the tests' model")
})
