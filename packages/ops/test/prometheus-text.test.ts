import t from 'tap'
import { metricSum } from '../src/testing/index.js'

t.test('a metric is summed over its label sets, by its exact name', async (t) => {
  const text = `# HELP x_total x
# TYPE x_total counter
x_total{topic="a"} 3
x_total{topic="b"} 4
x_total_other 9
x_totalx 99
y_sum 1.5
`
  t.equal(metricSum(text, 'x_total'), 7)
  t.equal(metricSum(text, 'y_sum'), 1.5)
  t.equal(metricSum(text, 'missing'), 0)
})

t.test('a sample without labels, and values that are not finite, are read as Prometheus writes them', async (t) => {
  t.equal(metricSum('up 1\n', 'up'), 1)
  t.equal(metricSum('g{a="x"} NaN\ng{a="y"} 2\ng{a="z"} +Inf\n', 'g'), 2)
})

t.test('only the samples carrying every wanted label value are summed', async (t) => {
  const text = `d_total{topic="a",code="INVALID_FIELD"} 2
d_total{code="INVALID_FIELD",topic="b"} 3
d_total{topic="a",code="DECODE"} 5
d_total 7
`
  t.equal(metricSum(text, 'd_total', { code: 'INVALID_FIELD' }), 5, 'in any label order')
  t.equal(metricSum(text, 'd_total', { code: 'INVALID_FIELD', topic: 'a' }), 2)
  t.equal(metricSum(text, 'd_total', { code: 'MISSING' }), 0)
  t.equal(metricSum(text, 'd_total'), 17, 'no filter: every sample, the unlabelled one too')
})
