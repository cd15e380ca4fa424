/**
 * A second, disposable single-node KRaft broker, configured and started as the dev stack's
 * (dev-stack's kraft module, the same resolved distribution), with its own ports, log dir and
 * cluster id. Restart = SIGTERM and start again on the same storage. The shared broker on 9092
 * is never touched.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  KRAFT_LOG4J,
  ensureKafkaDistribution,
  findJava,
  kraftBrokerArgs,
  kraftFormatArgs,
  kraftServerProperties,
  newClusterId,
  stackSettings,
} from '@event-analytics/dev-stack'
import { Kafka, logLevel } from 'kafkajs'
import { isRunning, spawnLogged, stopChild, waitFor } from './proc.js'

const run = promisify(execFile)

export interface KafkaInstance {
  readonly brokers: string
  start(): Promise<void>
  stop(): Promise<void>
  /**
   * Stops the broker and starts a fresh one on the same ports: a new data directory and cluster
   * id, no topics, no offsets, no groups. What a deployment meets on a new or restored cluster.
   */
  replaceWithFresh(): Promise<void>
  readonly running: boolean
}

export function kafkaInstance(
  port: number,
  controllerPort: number,
  root: string,
  options: { readonly extraProperties?: readonly string[] } = {},
): KafkaInstance {
  const files = {
    distributionHome: ensureKafkaDistribution(stackSettings(), () => undefined).home,
    configFile: join(root, 'server.properties'),
    log4jFile: join(root, 'log4j2.properties'),
  }
  const java = findJava(17, 'KAFKA_JAVA_HOME').bin
  const brokers = `127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let formatted = false
  let incarnation = 0
  const format = async (): Promise<void> => {
    mkdirSync(root, { recursive: true })
    const dataDir = join(root, incarnation === 0 ? 'data' : `data-${incarnation}`)
    writeFileSync(files.configFile, kraftServerProperties({ port, controllerPort, dataDir, ...options }))
    writeFileSync(files.log4jFile, KRAFT_LOG4J)
    await run(java, kraftFormatArgs(files, newClusterId()), { maxBuffer: 16 * 1024 * 1024 })
    formatted = true
  }
  const instance: KafkaInstance = {
    brokers,
    get running() {
      return isRunning(child)
    },
    async replaceWithFresh() {
      await instance.stop()
      incarnation += 1
      formatted = false
      await instance.start()
    },
    async start() {
      if (!formatted) await format()
      child = spawnLogged(java, kraftBrokerArgs(files, { heap: '384m', logsDir: root }), join(root, 'kafka.log'), { cwd: root })
      await waitFor(`kafka on ${brokers}`, () => brokerAnswers(brokers), 90_000, 500)
    },
    async stop() {
      await stopChild(child, 30_000)
    },
  }
  return instance
}

async function brokerAnswers(brokers: string): Promise<true | undefined> {
  const admin = new Kafka({
    clientId: 'chaos-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  }).admin()
  try {
    await admin.connect()
    const cluster = await admin.describeCluster()
    return cluster.brokers.length > 0 ? true : undefined
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}
