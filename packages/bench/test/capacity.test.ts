import t from 'tap'
import { bracket, failureReason, keptUp, nextRate, passed, type SearchPlan, type StepOutcome } from '../src/capacity.js'

const plan: SearchPlan = { startRate: 5000, maxSteps: 8, resolution: 0.1 }
const pass = (rate: number): StepOutcome => ({ targetRate: rate, achievedRate: rate, catchUpMs: 200, p99Ms: 300 })
const slow = (rate: number): StepOutcome => ({ targetRate: rate, achievedRate: rate, catchUpMs: 200, p99Ms: 1500 })

/** Runs the search against a pipeline whose capacity is `capacity` events/s. */
function simulate(capacity: number, searchPlan: SearchPlan): number[] {
  const steps: StepOutcome[] = []
  for (let rate = nextRate(steps, searchPlan); rate !== null; rate = nextRate(steps, searchPlan)) {
    steps.push(rate <= capacity ? pass(rate) : slow(rate))
  }
  return steps.map((s) => s.targetRate)
}

t.test('a step passes only when it kept up and its p99 is under 1 s', async (t) => {
  t.ok(passed(pass(5000)))
  t.notOk(passed(slow(5000)), 'p99 over the bound')
  t.notOk(passed({ ...pass(5000), p99Ms: 1000 }), 'the bound is strict')
  t.notOk(passed({ ...pass(5000), p99Ms: Number.NaN }), 'no probe is no pass')
  t.notOk(passed({ ...pass(5000), achievedRate: 4700 }), 'the generator reached < 95 %')
  t.ok(keptUp({ targetRate: 5000, achievedRate: 4750, catchUpMs: 999 }), '95 % and < 1 s are enough')
  t.notOk(keptUp({ targetRate: 5000, achievedRate: 5000, catchUpMs: 1000 }), 'backlog drained only after 1 s')
  t.equal(failureReason(pass(5000)), null)
  t.equal(failureReason({ ...pass(5000), achievedRate: 100 }), 'load generator below 95 % of the rate')
  t.equal(failureReason({ ...pass(5000), catchUpMs: 4000 }), 'backlog not drained within 1 s')
  t.equal(failureReason(slow(5000)), 'p99 >= 1 s')
  t.equal(failureReason({ ...pass(5000), p99Ms: Number.NaN }), 'no probe completed')
})

t.test('the search starts at the start rate and doubles while steps pass', async (t) => {
  t.equal(nextRate([], plan), 5000)
  t.equal(nextRate([pass(5000)], plan), 10_000)
  t.equal(nextRate([pass(5000), pass(10_000)], plan), 20_000)
})

t.test('after the first fail it bisects between the last pass and the first fail', async (t) => {
  t.equal(nextRate([pass(5000), pass(10_000), slow(20_000)], plan), 15_000)
  t.equal(nextRate([pass(5000), pass(10_000), slow(20_000), pass(15_000)], plan), 17_500)
  t.equal(nextRate([pass(5000), pass(10_000), slow(20_000), slow(15_000)], plan), 12_500)
})

t.test('it stops once last pass and first fail are within the resolution', async (t) => {
  t.equal(nextRate([pass(10_000), slow(11_000)], plan), null, '10 % apart')
  t.equal(nextRate([pass(10_000), slow(11_200)], plan), 10_600, '12 % apart: one more')
})

t.test('it halves while every step fails, then bisects upwards', async (t) => {
  t.equal(nextRate([slow(5000)], plan), 2500)
  t.equal(nextRate([slow(5000), slow(2500)], plan), 1300, 'rates are rounded to 100 events/s')
  t.equal(nextRate([slow(5000), pass(2500)], plan), 3800)
})

t.test('the number of steps is bounded, and no rate is tried twice', async (t) => {
  t.equal(nextRate([pass(5000), pass(10_000)], { ...plan, maxSteps: 2 }), null)
  t.equal(nextRate([slow(100)], { ...plan, startRate: 100 }), null, 'nothing below the rounding grain')
  t.equal(nextRate([pass(100), slow(200)], { ...plan, startRate: 100, resolution: 0.01 }), null, 'the midpoint rounds onto a tried rate')
})

t.test('simulated pipelines: the answer lies within the resolution of the capacity', async (t) => {
  t.same(simulate(16_000, plan), [5000, 10_000, 20_000, 15_000, 17_500, 16_300], '15,000 and 16,300 are within 10 %')
  for (const capacity of [3000, 7300, 16_000, 23_000, 52_000]) {
    const rates = simulate(capacity, { ...plan, maxSteps: 12 })
    const outcomes = rates.map((rate) => (rate <= capacity ? pass(rate) : slow(rate)))
    const { pass: found, fail } = bracket(outcomes)
    t.ok(found !== null && found <= capacity, `${capacity}: passes at ${found}`)
    t.ok(fail !== null && fail > capacity && fail - (found ?? 0) <= (found ?? 0) * 0.1, `${capacity}: fails at ${fail}`)
  }
})

t.test('bracket ignores fails below the highest pass (noise)', async (t) => {
  t.same(bracket([pass(5000), slow(10_000), pass(20_000), slow(40_000)]), { pass: 20_000, fail: 40_000 })
  t.same(bracket([slow(5000)]), { pass: null, fail: 5000 })
  t.same(bracket([]), { pass: null, fail: null })
})
