/**
 * What a single-node KRaft broker (broker and controller in one JVM) is, wherever it runs: the
 * stack's long-lived broker (kafka.ts) and the chaos suite's disposable ones start from the same
 * properties, logging, cluster ids and command lines, so they cannot drift apart.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export interface KraftNode {
  /** The PLAINTEXT listener clients use. */
  readonly port: number
  readonly controllerPort: number
  readonly dataDir: string
  /** `key=value` lines after the defaults (a later line wins): a chaos test's broker that misbehaves on purpose. */
  readonly extraProperties?: readonly string[]
}

export function kraftServerProperties({ port, controllerPort, dataDir, extraProperties = [] }: KraftNode): string {
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
    'num.io.threads=4',
    'log.retention.hours=24',
    ...extraProperties,
    '',
  ].join('\n')
}

/** Log4j 2 settings: INFO on the console (the process's log file), without the config dumps. */
export const KRAFT_LOG4J = [
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
export function newClusterId(): string {
  let id = randomBytes(16).toString('base64url')
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url')
  return id
}

export const CLUSTER_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/

export interface KraftFiles {
  /** The distribution's home (its `libs/` holds the classpath). */
  readonly distributionHome: string
  readonly configFile: string
  readonly log4jFile: string
}

const classpath = (files: KraftFiles): string => `${join(files.distributionHome, 'libs')}/*`

/** `java` arguments that format the node's storage under a cluster id (once, before the first start). */
export function kraftFormatArgs(files: KraftFiles, clusterId: string): string[] {
  const tool = ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, `--config=${files.configFile}`]
  return [`-Dlog4j2.configurationFile=${files.log4jFile}`, '-Xmx256m', '-cp', classpath(files), ...tool]
}

/** `java` arguments that run the broker; `logsDir` receives Kafka's own log files. */
export function kraftBrokerArgs(files: KraftFiles, options: { readonly heap: string; readonly logsDir: string }): string[] {
  const jvm = [`-Xmx${options.heap}`, '-Xms128m', '-XX:+UseSerialGC', '-Djava.awt.headless=true']
  const logging = [`-Dlog4j2.configurationFile=${files.log4jFile}`, `-Dkafka.logs.dir=${options.logsDir}`]
  return [...jvm, ...logging, '-cp', classpath(files), 'kafka.Kafka', files.configFile]
}
