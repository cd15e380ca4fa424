import t from 'tap'
import { reconnectDelayMs } from '../src/redis-reconnect.js'

t.test("reconnects at ioredis 5's cadence: 50 ms more per attempt, never more than 2 s apart", async (t) => {
  t.same([1, 2, 3, 10, 40, 41, 1000].map(reconnectDelayMs), [50, 100, 150, 500, 2000, 2000, 2000])
})
