/** Single-node KRaft Kafka broker (broker + controller in one JVM) under <stack>/kafka. */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureKafkaDistribution } from './artifacts.js'
import type { StackSettings } from './config.js'
import { StackError, type Progress } from './errors.js'
import { findJava } from './java.js'
import type { ManagedService } from './managed.js'
import { kafkaAnswers } from './probes.js'
import { spawnDetached } from './proc.js'

interface KafkaLayout {
  root: string
  dataDir: string
  configFile: string
  log4jFile: string
  clusterIdFile: string
}

function layout(settings: StackSettings): KafkaLayout {
  const root = join(settings.stackDir, 'kafka')
  return {
    root,
    dataDir: join(root, 'data'),
    configFile: join(root, 'config', 'server.properties'),
    log4jFile: join(root, 'config', 'log4j2.properties'),
    clusterIdFile: join(root, 'cluster-id'),
  }
}

export function serverProperties(settings: StackSettings, dataDir: string): string {
  const { kafkaPort: port, kafkaControllerPort: controller } = settings
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
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
    'num.io.threads=4',
    'log.retention.hours=24',
    '',
  ].join('\n')
}

const LOG4J = [
  'status = warn',
  'appender.out.type = Console',
  'appender.out.name = OUT',
  'appender.out.layout.type = PatternLayout',
  'appender.out.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = INFO',
  'rootLogger.appenderRef.out.ref = OUT',
  'logger.config.name = org.apache.kafka.common.config.AbstractConfig',
  'logger.config.level = WARN',
  'logger.state.name = state.change.logger',
  'logger.state.level = WARN',
  '',
].join('\n')

/**
 * Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters). Like Kafka's
 * Uuid.randomUuid, skip ids starting with '-': the storage tool's argument parser takes them for an option.
 */
function clusterId(file: string): string {
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  if (/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(saved)) return saved
  let id = randomBytes(16).toString('base64url')
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url')
  writeFileSync(file, `${id}\n`)
  return id
}

const execFileAsync = promisify(execFile)

/** Formats KRaft storage once (async: the registry's readiness probe keeps running meanwhile). */
async function formatStorage(java: string, classpath: string, files: KafkaLayout, logFile: string, progress: Progress): Promise<void> {
  if (existsSync(join(files.dataDir, 'meta.properties'))) return
  const id = clusterId(files.clusterIdFile)
  progress(`… kafka: formatting KRaft storage (cluster id ${id})`)
  const args = [`-Dlog4j2.configurationFile=${files.log4jFile}`, '-Xmx256m', '-cp', classpath]
  const format = ['kafka.tools.StorageTool', 'format', `--cluster-id=${id}`, `--config=${files.configFile}`]
  try {
    const { stdout, stderr } = await execFileAsync(java, [...args, ...format], { maxBuffer: 16 * 1024 * 1024 })
    writeFileSync(logFile, `${stdout}${stderr}`, { flag: 'a' })
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`
    writeFileSync(logFile, output, { flag: 'a' })
    throw new StackError(
      'kafka',
      `kafka-storage format failed (exit ${failed.code ?? '?'})`,
      logFile,
      output.split('\n').slice(-30).join('\n'),
    )
  }
}

export function kafkaService(settings: StackSettings, brokers: string[]): ManagedService {
  const files = layout(settings)
  const logFile = join(files.root, 'logs', 'kafka.log')
  return {
    name: 'kafka',
    pidFile: join(settings.stackDir, 'run', 'kafka.pid'),
    logFile,
    marker: 'kafka.Kafka',
    address: `PLAINTEXT://127.0.0.1:${settings.kafkaPort}`,
    ports: [settings.kafkaPort, settings.kafkaControllerPort],
    startTimeoutMs: 90_000,
    answers: async () => (await kafkaAnswers(brokers)) !== undefined,
    async launch(progress) {
      const dist = ensureKafkaDistribution(settings, progress)
      const java = findJava(17, 'KAFKA_JAVA_HOME')
      const classpath = `${join(dist.home, 'libs')}/*`
      mkdirSync(join(files.root, 'config'), { recursive: true })
      mkdirSync(join(files.root, 'logs'), { recursive: true })
      writeFileSync(files.configFile, serverProperties(settings, files.dataDir))
      writeFileSync(files.log4jFile, LOG4J)
      await formatStorage(java.bin, classpath, files, logFile, progress)
      const jvm = [`-Xmx${settings.kafkaHeap}`, '-Xms128m', '-XX:+UseSerialGC', '-Djava.awt.headless=true']
      const logging = [`-Dlog4j2.configurationFile=${files.log4jFile}`, `-Dkafka.logs.dir=${join(files.root, 'logs')}`]
      progress(`… kafka ${dist.version}: starting on Java ${java.major}`)
      return spawnDetached(java.bin, [...jvm, ...logging, '-cp', classpath, 'kafka.Kafka', files.configFile], {
        cwd: files.root,
        logFile,
        pidFile: join(settings.stackDir, 'run', 'kafka.pid'),
      })
    },
  }
}
