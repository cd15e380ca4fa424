import t from 'tap'
import { addDays, addUtcMonths, dedupePartitionName, timelinePartitionName, utcDay, utcMonthStart } from '../src/index.js'
import { dedupeDayOfPartition, monthsBetween, parseDay } from '../src/partitions/calendar.js'

t.test('months are UTC months', async (t) => {
  // 2019-03-31T23:30 in Seoul is already April; in UTC it is still March.
  t.equal(timelinePartitionName(new Date('2019-04-01T08:30:00+09:00')), 'timeline_data_p2019_03')
  t.equal(utcMonthStart(new Date('2031-07-31T23:59:59.999Z')).toISOString(), '2031-07-01T00:00:00.000Z')
  t.equal(addUtcMonths(new Date('2019-12-01T00:00:00Z'), 1).toISOString(), '2020-01-01T00:00:00.000Z')
  t.equal(addUtcMonths(new Date('2019-01-01T00:00:00Z'), -13).toISOString(), '2017-12-01T00:00:00.000Z')
  t.same(monthsBetween(new Date('2019-11-20T00:00:00Z'), new Date('2020-02-01T00:00:00Z')).map(timelinePartitionName), [
    'timeline_data_p2019_11',
    'timeline_data_p2019_12',
    'timeline_data_p2020_01',
    'timeline_data_p2020_02',
  ])
  t.same(monthsBetween(new Date('2020-02-01T00:00:00Z'), new Date('2019-02-01T00:00:00Z')), [], 'empty when reversed')
})

t.test('days', async (t) => {
  t.equal(utcDay(new Date('2024-02-29T23:59:59Z')), '2024-02-29')
  t.equal(addDays('2024-02-28', 1), '2024-02-29')
  t.equal(addDays('2024-03-01', -1), '2024-02-29')
  t.equal(dedupePartitionName('2024-05-06'), 'processed_messages_p2024_05_06')
  t.equal(dedupeDayOfPartition('processed_messages_p2024_05_06'), '2024-05-06')
  t.equal(dedupeDayOfPartition('processed_messages_old'), undefined)
  t.throws(() => parseDay('2023-02-29'), /not a calendar day/)
  t.throws(() => dedupePartitionName("2024-05-06'; DROP TABLE x; --"), /not an ISO day/)
})
