/** Apicurio Registry (in-memory H2 storage) with its Confluent-compatible API under /apis/ccompat/v7. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureRegistryDistribution } from './artifacts.js'
import type { StackSettings } from './config.js'
import { findJava } from './java.js'
import type { ManagedService } from './managed.js'
import { registryAnswers } from './probes.js'
import { spawnDetached } from './proc.js'

/** Apicurio Registry 3.x is compiled for Java 21 (class file 65). */
export const REGISTRY_MIN_JAVA = 21

export function registryUrls(settings: StackSettings): { healthUrl: string; ccompatUrl: string } {
  return {
    healthUrl: `http://127.0.0.1:${settings.registryManagementPort}/health/ready`,
    ccompatUrl: `http://127.0.0.1:${settings.registryPort}/apis/ccompat/v7`,
  }
}

function systemProperties(settings: StackSettings): string[] {
  const props: Record<string, string> = {
    'quarkus.http.host': '127.0.0.1',
    'quarkus.http.port': String(settings.registryPort),
    // health lives on Quarkus' management interface (default 0.0.0.0:9000)
    'quarkus.management.host': '127.0.0.1',
    'quarkus.management.port': String(settings.registryManagementPort),
    'apicurio.rest.deletion.group.enabled': 'true',
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    // one line per request is noise in a dev log
    'quarkus.log.category."io.apicurio.registry.logging.audit".level': 'WARN',
    'quarkus.log.category."io.quarkus.vertx.http.runtime.filters.accesslog".level': 'WARN',
  }
  return Object.entries(props).map(([key, value]) => `-D${key}=${value}`)
}

export function registryService(settings: StackSettings): ManagedService {
  const root = join(settings.stackDir, 'registry')
  const { healthUrl, ccompatUrl } = registryUrls(settings)
  const pidFile = join(settings.stackDir, 'run', 'registry.pid')
  const logFile = join(root, 'logs', 'registry.log')
  return {
    name: 'registry',
    stackDir: settings.stackDir,
    pidFile,
    logFile,
    marker: 'quarkus-run.jar',
    address: ccompatUrl,
    ports: [settings.registryPort, settings.registryManagementPort],
    startTimeoutMs: 120_000,
    answers: () => registryAnswers(healthUrl, ccompatUrl),
    async launch(progress) {
      const dist = ensureRegistryDistribution(settings, progress)
      const java = findJava(REGISTRY_MIN_JAVA, 'REGISTRY_JAVA_HOME')
      mkdirSync(root, { recursive: true })
      // C1 only and the serial GC: quick start, small footprint; the registry is not a hot path here
      const jvm = [`-Xmx${settings.registryHeap}`, '-Xms64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true']
      progress(`… registry: starting Apicurio Registry ${dist.version} on Java ${java.major} (${java.bin})`)
      return spawnDetached(java.bin, [...jvm, ...systemProperties(settings), '-jar', join(dist.home, 'quarkus-run.jar')], {
        cwd: root,
        logFile,
        pidFile,
      })
    },
  }
}
