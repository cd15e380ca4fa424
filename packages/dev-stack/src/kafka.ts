/** Single-node KRaft Kafka broker (broker + controller in one JVM) under <stack>/kafka. */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureKafkaDistribution } from './artifacts.js'
import type { StackSettings } from './config.js'
import { StackError, type Progress } from './errors.js'
import { findJava } from './java.js'
import type { ManagedService } from './managed.js'
import { kafkaAnswers } from './probes.js'
import { CLUSTER_ID_PATTERN, KRAFT_LOG4J, kraftBrokerArgs, kraftFormatArgs, kraftServerProperties, newClusterId } from './kraft.js'
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

/** The stack's cluster id, kept across restarts in its file (a new one when missing or malformed). */
function clusterId(file: string): string {
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  if (CLUSTER_ID_PATTERN.test(saved)) return saved
  const id = newClusterId()
  writeFileSync(file, `${id}\n`)
  return id
}

const execFileAsync = promisify(execFile)

/** Formats KRaft storage once (async: the registry's readiness probe keeps running meanwhile). */
async function formatStorage(java: string, home: string, files: KafkaLayout, logFile: string, progress: Progress): Promise<void> {
  if (existsSync(join(files.dataDir, 'meta.properties'))) return
  const id = clusterId(files.clusterIdFile)
  progress(`… kafka: formatting KRaft storage (cluster id ${id})`)
  const args = kraftFormatArgs({ distributionHome: home, configFile: files.configFile, log4jFile: files.log4jFile }, id)
  try {
    const { stdout, stderr } = await execFileAsync(java, args, { maxBuffer: 16 * 1024 * 1024 })
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
    stackDir: settings.stackDir,
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
      mkdirSync(join(files.root, 'config'), { recursive: true })
      mkdirSync(join(files.root, 'logs'), { recursive: true })
      writeFileSync(
        files.configFile,
        kraftServerProperties({ port: settings.kafkaPort, controllerPort: settings.kafkaControllerPort, dataDir: files.dataDir }),
      )
      writeFileSync(files.log4jFile, KRAFT_LOG4J)
      await formatStorage(java.bin, dist.home, files, logFile, progress)
      const args = kraftBrokerArgs(
        { distributionHome: dist.home, configFile: files.configFile, log4jFile: files.log4jFile },
        { heap: settings.kafkaHeap, logsDir: join(files.root, 'logs') },
      )
      progress(`… kafka ${dist.version}: starting on Java ${java.major}`)
      return spawnDetached(java.bin, args, {
        cwd: files.root,
        logFile,
        pidFile: join(settings.stackDir, 'run', 'kafka.pid'),
      })
    },
  }
}
