/**
 * A disposable PostgreSQL 15 cluster on its own port and socket directory, run as the
 * `postgres` user when we are root (initdb refuses root). Restart = `pg_ctl restart -m fast`.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chownSync, mkdirSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = process.env['CHAOS_PG_BIN'] ?? '/usr/lib/postgresql/15/bin'

export interface PostgresInstance {
  readonly url: string
  init(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
  restart(): Promise<void>
}

export function postgresInstance(port: number, root: string, database: string): PostgresInstance {
  const dataDir = join(root, 'data')
  const logFile = join(root, 'postgres.log')
  const asRoot = userInfo().uid === 0
  const exec = async (tool: string, args: string[]): Promise<void> => {
    const command = asRoot ? 'runuser' : join(BIN, tool)
    const full = asRoot ? ['-u', 'postgres', '--', join(BIN, tool), ...args] : args
    await run(command, full, { cwd: root, maxBuffer: 8 * 1024 * 1024 })
  }
  const ctl = (action: string[]): Promise<void> => exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', ...action])
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    async init() {
      mkdirSync(root, { recursive: true })
      if (asRoot) chownSync(root, postgresUid(), postgresGid())
      await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
    },
    start: () => ctl(['-o', options, 'start']),
    stop: () => ctl(['-m', 'fast', 'stop']),
    restart: () => ctl(['-m', 'fast', '-o', options, 'restart']),
  }
}

function postgresUid(): number {
  return idOf('-u')
}

function postgresGid(): number {
  return idOf('-g')
}

/** Synchronous on purpose: called once at set-up. */
function idOf(flag: '-u' | '-g'): number {
  const out = execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })
  const value = Number(out.trim())
  if (!Number.isInteger(value)) throw new Error(`no postgres user (id ${flag} postgres gave "${out}")`)
  return value
}
