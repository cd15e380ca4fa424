import t from 'tap'
import { EventEmitter } from 'node:events'
import { watchConsumerCrash, type CrashEvent } from '../src/crash.js'

function fakeConsumer() {
  const emitter = new EventEmitter()
  return {
    events: { CRASH: 'consumer.crash' },
    on: (event: string, listener: (event: CrashEvent) => void) => emitter.on(event, listener),
    crash: (error: Error, restart: boolean) => emitter.emit('consumer.crash', { payload: { error, restart } }),
  }
}

t.test('a crash kafkajs restarts from is not fatal', async (t) => {
  const consumer = fakeConsumer()
  const fatal: Error[] = []
  const watch = watchConsumerCrash(consumer, (error) => fatal.push(error))
  consumer.crash(new Error('The coordinator is loading'), true)
  t.same(fatal, [])
  t.equal(watch.fatal(), undefined)
})

t.test('a crash kafkajs will not restart from is reported once and kept for /ready', async (t) => {
  const consumer = fakeConsumer()
  const fatal: Error[] = []
  const watch = watchConsumerCrash(consumer, (error) => fatal.push(error))
  const error = new Error('Failed to find group coordinator')
  consumer.crash(error, false)
  t.same(fatal, [error])
  t.equal(watch.fatal(), error)
})
