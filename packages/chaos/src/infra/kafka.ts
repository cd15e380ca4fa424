/**
 * A second, disposable single-node KRaft broker from the jars dev-stack already resolved
 * (.stack/dist/kafka-*), with its own ports, log dir and cluster id. Restart = SIGTERM and
 * start again on the same storage. The shared broker on 9092 is never touched.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { isRunning, spawnLogged, stopChild, waitFor } from './proc.js'

const run = promisify(execFile)

export interface KafkaInstance {
  readonly brokers: string
  start(): Promise<void>
  stop(): Promise<void>
  readonly running: boolean
}

export function kafkaDistribution(repoRoot: string): string {
  const dist = join(repoRoot, '.stack', 'dist')
  const found = existsSync(dist)
    ? readdirSync(dist)
        .filter((name) => name.startsWith('kafka-'))
        .sort()
    : []
  const home = found.at(-1)
  if (home === undefined) throw new Error(`no Kafka distribution under ${dist}: run \`pnpm stack up\` once`)
  return join(dist, home)
}

export function brokerProperties(port: number, controllerPort: number, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ].join('\n')
}

const LOG4J = [
  'status = warn',
  'appender.out.type = Console',
  'appender.out.name = OUT',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.out.ref = OUT',
  '',
].join('\n')

export function kafkaInstance(repoRoot: string, port: number, controllerPort: number, root: string): KafkaInstance {
  const classpath = `${join(kafkaDistribution(repoRoot), 'libs')}/*`
  const configFile = join(root, 'server.properties')
  const log4j = join(root, 'log4j2.properties')
  const java = process.env['KAFKA_JAVA_HOME'] === undefined ? 'java' : join(process.env['KAFKA_JAVA_HOME'], 'bin', 'java')
  const brokers = `127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let formatted = false
  const format = async (): Promise<void> => {
    mkdirSync(root, { recursive: true })
    writeFileSync(configFile, brokerProperties(port, controllerPort, join(root, 'data')))
    writeFileSync(log4j, LOG4J)
    let id = randomBytes(16).toString('base64url')
    while (id.startsWith('-')) id = randomBytes(16).toString('base64url')
    await run(
      java,
      [
        `-Dlog4j2.configurationFile=${log4j}`,
        '-Xmx256m',
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        `--cluster-id=${id}`,
        `--config=${configFile}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    )
    formatted = true
  }
  return {
    brokers,
    get running() {
      return isRunning(child)
    },
    async start() {
      if (!formatted) await format()
      child = spawnLogged(
        java,
        [
          '-Xmx384m',
          '-Xms128m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-Djava.awt.headless=true',
          `-Dlog4j2.configurationFile=${log4j}`,
          `-Dkafka.logs.dir=${root}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          configFile,
        ],
        join(root, 'kafka.log'),
        { cwd: root },
      )
      await waitFor(`kafka on ${brokers}`, () => brokerAnswers(brokers), 90_000, 500)
    },
    async stop() {
      await stopChild(child, 30_000)
    },
  }
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
