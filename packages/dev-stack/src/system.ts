/**
 * PostgreSQL and Redis are machine services: used where they answer, started (and if need be
 * installed with apt-get) when they do not. `down` leaves them running; other things use them.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { aptInstall } from './apt.js'
import { hostPort, type StackEndpoints } from './config.js'
import { StackError, type Progress } from './errors.js'
import type { ComponentStatus } from './managed.js'
import { postgresAnswers, redisAnswers } from './probes.js'

export interface SystemService {
  name: string
  address: string
  logHint: string
  answers(): Promise<boolean>
  binaryPresent(): boolean
  aptPackages: string[]
  start(): void
  afterInstall?(): void
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: 'pipe' })
}

function postgresVersions(): string[] {
  return existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort() : []
}

/** A cluster we just installed accepts local TCP connections without a password, like the dev machines do. */
function trustLocalTcp(): void {
  for (const version of postgresVersions()) {
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`
    if (!existsSync(hba)) continue
    const text = readFileSync(hba, 'utf8')
    if (text.startsWith('# dev-stack')) continue
    writeFileSync(hba, `# dev-stack: trust local TCP\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n${text}`)
  }
}

export function postgresService(endpoints: StackEndpoints): SystemService {
  const { host, port } = hostPort(endpoints.databaseUrl, 5432)
  const version = postgresVersions().at(-1) ?? '?'
  return {
    name: 'postgres',
    address: `${host}:${port}`,
    logHint: `/var/log/postgresql/postgresql-${version}-main.log`,
    answers: () => postgresAnswers(host, port),
    binaryPresent: () => has('pg_ctlcluster') && postgresVersions().length > 0,
    aptPackages: ['postgresql'],
    afterInstall: trustLocalTcp,
    start: () => run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersions().at(-1) ?? '', 'main', 'start']),
  }
}

export function redisService(endpoints: StackEndpoints): SystemService {
  const { host, port } = hostPort(endpoints.redisUrl, 6379)
  return {
    name: 'redis',
    address: `${host}:${port}`,
    logHint: '/var/log/redis/ci.log',
    answers: () => redisAnswers(host, port),
    binaryPresent: () => has('redis-server'),
    aptPackages: ['redis-server'],
    start: () => {
      mkdirSync('/var/lib/redis', { recursive: true })
      mkdirSync('/var/log/redis', { recursive: true })
      run('redis-server', [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '-::1',
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/var/lib/redis',
        '--logfile',
        '/var/log/redis/ci.log',
      ])
    },
  }
}

function install(service: SystemService, progress: Progress): void {
  progress(`… ${service.name}: not installed, installing ${service.aptPackages.join(' ')} with apt-get`)
  aptInstall(service.name, service.aptPackages)
  service.afterInstall?.()
}

export async function systemUp(service: SystemService, progress: Progress): Promise<ComponentStatus> {
  const status: ComponentStatus = { name: service.name, state: 'running', address: service.address, logFile: service.logHint }
  if (await service.answers()) {
    progress(`✓ ${service.name} answers at ${service.address}`)
    return status
  }
  if (!service.binaryPresent()) install(service, progress)
  progress(`… ${service.name}: not answering at ${service.address}, starting it`)
  try {
    service.start()
  } catch (error) {
    throw new StackError(service.name, `could not start: ${(error as Error).message}`, service.logHint)
  }
  for (let i = 0; i < 60; i += 1) {
    if (await service.answers()) {
      progress(`✓ ${service.name} started, answers at ${service.address}`)
      return status
    }
    await sleep(500)
  }
  throw new StackError(service.name, `started but does not answer at ${service.address} after 30s`, service.logHint)
}

export async function systemStatus(service: SystemService): Promise<ComponentStatus> {
  const answers = await service.answers()
  return { name: service.name, state: answers ? 'running' : 'down', address: service.address, detail: 'machine service' }
}
