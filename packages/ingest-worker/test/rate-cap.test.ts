/** The consumption ceiling's pacing, on a clock the test owns. */
import t from 'tap'
import { RateCap } from '../src/rate-cap.js'

t.test('no ceiling: never waits', async (t) => {
  const cap = new RateCap(0)
  t.equal(cap.take(1_000_000, 0), 0)
  t.equal(cap.take(1_000_000, 0), 0)
})

t.test('a burst of one batch passes at once; the next waits for its share of a second', async (t) => {
  const cap = new RateCap(1000)
  t.equal(cap.take(500, 10_000), 0, 'the first batch at once')
  t.equal(cap.take(500, 10_000), 500, 'the second after the first one’s half second')
  t.equal(cap.take(1000, 10_100), 900, 'a third, asked for later, after the second one’s share')
})

t.test('over any longer window the average holds, however the batches are sized', async (t) => {
  const cap = new RateCap(2000)
  let now = 0
  let taken = 0
  for (const size of [1, 700, 3, 2500, 40, 1200, 800, 5000, 17, 900]) {
    now += cap.take(size, now)
    taken += size
  }
  // The last batch starts once every earlier one had its share: (taken - last) / rate seconds.
  t.equal(now, ((taken - 900) * 1000) / 2000)
})

t.test('an idle spell is not saved up for a later burst', async (t) => {
  const cap = new RateCap(100)
  t.equal(cap.take(100, 0), 0)
  t.equal(cap.take(100, 60_000), 0, 'a minute later: at once')
  t.equal(cap.take(100, 60_000), 1_000, 'but the one right after waits its second')
})

t.test('a negative or non-finite ceiling is refused', async (t) => {
  t.throws(() => new RateCap(-1), RangeError)
  t.throws(() => new RateCap(Number.NaN), RangeError)
})
