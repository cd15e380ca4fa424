import t from 'tap'
import { readBackendPid, readBenchBackends } from '../src/bench/index.js'
import { closeDb, createDb } from '../src/index.js'
import { createTestDatabase, TEST_SERVER_URL } from '../src/testing/index.js'

const { db, url, name } = await createTestDatabase(t, { poolSize: 1 })

t.test('readBenchBackends lists the backends of one database by client name, the caller excepted', async (t) => {
  const client = createDb(url, { poolSize: 1, applicationName: 'bench-test-client' })
  const watcher = createDb(TEST_SERVER_URL, { poolSize: 1, applicationName: 'bench-test-watcher' })
  t.teardown(async () => {
    await closeDb(client)
    await closeDb(watcher)
  })
  const clientPid = await readBackendPid(client)
  const ownPid = await readBackendPid(db)
  t.not(clientPid, ownPid, 'two pools, two backends')

  const seen = await readBenchBackends(watcher, name)
  const client_ = seen.find((backend) => backend.pid === clientPid)
  t.same(client_, { pid: clientPid, applicationName: 'bench-test-client', backendType: 'client backend' })
  t.ok(
    seen.some((backend) => backend.pid === ownPid),
    'the backend of the test pool is listed too',
  )
  t.notOk(
    seen.some((backend) => backend.applicationName === 'bench-test-watcher'),
    'the watcher sits on another database',
  )

  // From a connection to the database itself, its own backend is left out.
  const fromInside = await readBenchBackends(client, name)
  t.notOk(
    fromInside.some((backend) => backend.pid === clientPid),
    'the caller is not listed',
  )
  t.ok(fromInside.some((backend) => backend.pid === ownPid))

  t.same(await readBenchBackends(watcher, `${name}_absent`), [], 'no database, no backends')
})
