/**
 * A second run downloads nothing: once `stack up` has resolved Kafka and the registry (npm test
 * runs it before the tests), resolving them again must not run Maven at all. MVN points at a
 * program that does not exist, so any Maven run would fail this test.
 */
import t from 'tap'
import { ensureKafkaDistribution, ensureRegistryDistribution } from '../src/artifacts.js'
import { stackSettings, stackUp } from '../src/index.js'

t.test('resolved distributions are reused without Maven', async (t) => {
  await stackUp()
  const settings = stackSettings()
  const saved = process.env['MVN']
  process.env['MVN'] = '/nonexistent/mvn-must-not-run'
  t.teardown(() => {
    if (saved === undefined) delete process.env['MVN']
    else process.env['MVN'] = saved
  })
  const lines: string[] = []
  const progress = (line: string): void => void lines.push(line)
  const kafka = ensureKafkaDistribution(settings, progress)
  const registry = ensureRegistryDistribution(settings, progress)
  t.equal(kafka.fresh, false, `kafka ${kafka.version} from ${kafka.home}`)
  t.equal(registry.fresh, false, `registry ${registry.version} from ${registry.home}`)
  t.same(lines, [], 'nothing resolved, nothing downloaded')
})
