/**
 * Kafka and Apicurio Registry come from Maven Central, resolved by Maven with the small poms in
 * ../maven. Results land in <stack>/dist/<name>-<version>/ with a `.complete` marker; when the
 * marker is there nothing runs (and ~/.m2 keeps the downloads for a rebuilt .stack).
 */
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pomProperty, type StackSettings } from './config.js'
import { StackError, type Progress } from './errors.js'
import { tailFile } from './proc.js'

export interface Distribution {
  name: string
  version: string
  /** folder holding the resolved files */
  home: string
  fresh: boolean
}

interface Resolution {
  name: string
  pom: string
  versionProperty: string
  /** maven goal and the -D that tells it where to write */
  goal: string
  outputFlag: string
  subdir: string
}

const KAFKA: Resolution = {
  name: 'kafka',
  pom: 'maven/kafka/pom.xml',
  versionProperty: 'kafka.version',
  goal: 'dependency:copy-dependencies',
  outputFlag: '-DoutputDirectory',
  subdir: 'libs',
}

const REGISTRY: Resolution = {
  name: 'apicurio-registry',
  pom: 'maven/registry/pom.xml',
  versionProperty: 'apicurio.version',
  goal: 'dependency:unpack',
  outputFlag: '-Dregistry.outputDirectory',
  subdir: '',
}

function runMaven(settings: StackSettings, spec: Resolution, target: string, logFile: string): void {
  const fd = openSync(logFile, 'w')
  try {
    const pom = join(settings.packageDir, spec.pom)
    const buildDir = join(settings.stackDir, 'maven-target', spec.name)
    const args = ['-B', '-f', pom, spec.goal, `${spec.outputFlag}=${target}`, `-Dstack.buildDirectory=${buildDir}`]
    const result = spawnSync(process.env['MVN'] ?? 'mvn', args, { stdio: ['ignore', fd, fd] })
    if (result.error !== undefined) {
      const hint = (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (is Maven installed? apt-get install maven)' : ''
      throw new StackError(spec.name, `could not run mvn${hint}: ${result.error.message}`, logFile)
    }
    if (result.status !== 0) {
      throw new StackError(spec.name, `mvn ${spec.goal} failed (exit ${result.status})`, logFile, tailFile(logFile))
    }
  } finally {
    closeSync(fd)
  }
}

function ensure(settings: StackSettings, spec: Resolution, progress: Progress): Distribution {
  const version = pomProperty(join(settings.packageDir, spec.pom), spec.versionProperty)
  const home = join(settings.stackDir, 'dist', `${spec.name}-${version}`)
  const marker = join(home, '.complete')
  if (existsSync(marker)) return { name: spec.name, version, home, fresh: false }
  progress(`${spec.name}: resolving ${spec.name} ${version} from Maven Central with mvn ${spec.goal} (first run only)`)
  const started = Date.now()
  const staging = `${home}.partial`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(join(settings.stackDir, 'logs'), { recursive: true })
  runMaven(settings, spec, join(staging, spec.subdir), join(settings.stackDir, 'logs', `maven-${spec.name}.log`))
  rmSync(home, { recursive: true, force: true })
  renameSync(staging, home)
  writeFileSync(marker, `${new Date().toISOString()}\n`)
  progress(`${spec.name}: resolved in ${((Date.now() - started) / 1000).toFixed(1)}s -> ${home}`)
  return { name: spec.name, version, home, fresh: true }
}

export function ensureKafkaDistribution(settings: StackSettings, progress: Progress): Distribution {
  return ensure(settings, KAFKA, progress)
}

export function ensureRegistryDistribution(settings: StackSettings, progress: Progress): Distribution {
  return ensure(settings, REGISTRY, progress)
}
