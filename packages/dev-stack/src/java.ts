/** Finds a JDK of at least a given feature release (Kafka 4 needs 17, Apicurio Registry 3 needs 21). */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface JavaRuntime {
  bin: string
  major: number
}

function releaseMajor(home: string): number | undefined {
  const release = join(home, 'release')
  if (!existsSync(release)) return undefined
  const match = /JAVA_VERSION="(\d+)(?:\.(\d+))?/.exec(readFileSync(release, 'utf8'))
  if (match?.[1] === undefined) return undefined
  const first = Number(match[1])
  return first === 1 ? Number(match[2]) : first
}

function runtimeAt(home: string): JavaRuntime | undefined {
  const bin = join(home, 'bin', 'java')
  const major = releaseMajor(home)
  return existsSync(bin) && major !== undefined ? { bin, major } : undefined
}

function pathJavaHome(): string | undefined {
  try {
    const which = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim()
    return which === '' ? undefined : dirname(dirname(realpathSync(which)))
  } catch {
    return undefined
  }
}

function jvmDirHomes(): string[] {
  const root = '/usr/lib/jvm'
  if (!existsSync(root)) return []
  return readdirSync(root).map((name) => join(root, name))
}

/**
 * Order of preference: the explicit override variable (a JDK home), JAVA_HOME, the `java` on PATH,
 * then the newest JDK under /usr/lib/jvm.
 */
export function findJava(minMajor: number, overrideVar: string, env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const override = env[overrideVar]
  if (override !== undefined && override !== '') {
    const runtime = runtimeAt(override)
    if (runtime === undefined) throw new Error(`${overrideVar}=${override} is not a JDK home (no bin/java or release file)`)
    return runtime
  }
  const preferred = [env['JAVA_HOME'], pathJavaHome()].filter((h): h is string => h !== undefined && h !== '')
  const installed = jvmDirHomes()
    .map(runtimeAt)
    .filter((r): r is JavaRuntime => r !== undefined)
    .sort((a, b) => b.major - a.major)
  const candidates = [...preferred.map(runtimeAt).filter((r): r is JavaRuntime => r !== undefined), ...installed]
  const found = candidates.find((r) => r.major >= minMajor)
  if (found === undefined) {
    throw new Error(`no Java ${minMajor}+ found (set ${overrideVar} to a JDK home; looked at JAVA_HOME, PATH, /usr/lib/jvm)`)
  }
  return found
}
