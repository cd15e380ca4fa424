// Local profiling helper (not committed): the bench's api phase set-up, the API under --cpu-prof.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { closeDb, createDb } from '@event-analytics/db'
import { seedBenchChannels, seedBenchEvent } from '@event-analytics/db/bench'
import { loadBenchConfig } from './src/config.js'
import { apiEnv } from './src/env.js'
import { createPhase } from './src/isolation.js'
import { freePort } from './src/services.js'
import { CHANNELS, newEventIds } from './src/workload.js'
import { getJson, operatorToken } from './src/phases/api-client.js'

const config = loadBenchConfig()
const phase = await createPhase(config, 'prof', 1)
const [eventId] = newEventIds(1) as [string]
phase.trackEvents([eventId])
const db = createDb(phase.databaseUrl, { poolSize: 2 })
await seedBenchEvent(db, { eventId, userId: 'bench-owner', title: 'prof', createdAt: new Date(Date.now() - 86400000) })
await seedBenchChannels(db, eventId, CHANNELS)
await closeDb(db)
const port = await freePort()
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/apicache-prof', 'dist/main.js'], {
  cwd: '../query-api',
  env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...apiEnv(config, phase, port) },
  stdio: 'inherit',
})
const url = `http://127.0.0.1:${port}/api/v1/events/${eventId}/analytics`
const token = await operatorToken()
for (let i = 0; i < 100; i += 1) {
  const ok = await getJson(url, token).then(
    (r) => r.status === 200,
    () => false,
  )
  if (ok) break
  await sleep(200)
}
const result = await autocannon({
  url,
  connections: 16,
  duration: Number(process.env['PROF_SECONDS'] ?? 8),
  headers: { authorization: `Bearer ${token}` },
})
console.log('req/s', result.requests.average, 'non2xx', result.non2xx)
child.kill('SIGTERM')
await new Promise((resolve) => child.once('exit', resolve))
await phase.cleanup()
