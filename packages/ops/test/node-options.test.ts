import t from 'tap'
import { SERVICE_NODE_OPTIONS, serviceNodeOptions } from '../src/node-options.js'

t.test("the services' V8 options come first, so an operator's own override them", async (t) => {
  t.equal(serviceNodeOptions(undefined), SERVICE_NODE_OPTIONS)
  t.equal(serviceNodeOptions('  '), SERVICE_NODE_OPTIONS)
  t.equal(serviceNodeOptions('--max-semi-space-size=16 --inspect'), `${SERVICE_NODE_OPTIONS} --max-semi-space-size=16 --inspect`)
})
