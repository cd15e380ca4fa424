import t from 'tap'
import { kraftBrokerArgs, kraftFormatArgs, kraftServerProperties, newClusterId } from '../src/kraft.js'

t.test('cluster ids are what the storage tool accepts: 22 URL-safe characters, never a leading dash', async (t) => {
  const ids = Array.from({ length: 2000 }, () => newClusterId())
  t.ok(
    ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id)),
    'every id matches',
  )
  t.equal(new Set(ids).size, ids.length, 'no id twice')
})

t.test('one node: its ports, its data directory, the replication a single broker can give', async (t) => {
  const properties = kraftServerProperties({ port: 19092, controllerPort: 19093, dataDir: '/tmp/k/data' })
  t.match(properties, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:19092,CONTROLLER:\/\/127\.0\.0\.1:19093$/m)
  t.match(properties, /^controller\.quorum\.voters=1@127\.0\.0\.1:19093$/m)
  t.match(properties, /^log\.dirs=\/tmp\/k\/data$/m)
  t.match(properties, /^transaction\.state\.log\.min\.isr=1$/m, 'transactions work on one broker')
  const tuned = kraftServerProperties({
    port: 1,
    controllerPort: 2,
    dataDir: '/d',
    extraProperties: ['group.min.session.timeout.ms=45000'],
  })
  t.match(tuned, /^group\.min\.session\.timeout\.ms=45000$/m, 'extra lines are appended')
})

t.test('the format and broker command lines name the files they are given', async (t) => {
  const files = { distributionHome: '/opt/kafka', configFile: '/k/server.properties', log4jFile: '/k/log4j2.properties' }
  const format = kraftFormatArgs(files, 'abcdefghijklmnopqrstuv')
  t.same(format.slice(-4), ['kafka.tools.StorageTool', 'format', '--cluster-id=abcdefghijklmnopqrstuv', '--config=/k/server.properties'])
  t.ok(format.includes('/opt/kafka/libs/*'), 'the distribution is the classpath')
  const broker = kraftBrokerArgs(files, { heap: '384m', logsDir: '/k/logs' })
  t.same(broker.slice(-2), ['kafka.Kafka', '/k/server.properties'])
  t.ok(broker.includes('-Xmx384m') && broker.includes('-Dkafka.logs.dir=/k/logs'), 'heap and logs as given')
})
