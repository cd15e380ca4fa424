/**
 * Whose is a Kafka or registry that answers but that this clone did not start? dev-stack starts
 * each of them with its working directory at `<stack dir>/<component>` and writes its pid to
 * `<stack dir>/run/<component>.pid`, so the process listening on the port tells which stack
 * (which clone's `.stack`, with which data) it belongs to. Read from /proc (Linux); where that is
 * not readable the owner is unknown, and is treated as not ours.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

export interface PortListener {
  pid: number
  /** working directory of the process, when readable */
  cwd?: string
  /** command line, arguments joined by spaces, when readable */
  command?: string
}

export type Ownership =
  | { kind: 'ours'; pid: number; stackDir: string }
  | { kind: 'other-clone'; pid: number; stackDir: string; pidFileMatches: boolean }
  | { kind: 'unknown'; pid?: number; command?: string }

/** `0100007F:2384` -> port 9092 (the port is the big-endian hex after the colon, in tcp and tcp6 alike). */
function localPort(address: string): number {
  const hex = address.split(':').at(-1) ?? ''
  return Number.parseInt(hex, 16)
}

/** Socket inodes listening (state 0A) on `port` in the text of /proc/net/tcp or /proc/net/tcp6. */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  const inodes: string[] = []
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const [, local, , state, , , , , , inode] = fields
    if (local === undefined || inode === undefined || state !== '0A') continue
    if (localPort(local) === port && inode !== '0') inodes.push(inode)
  }
  return inodes
}

function readOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** The process listening on a local TCP port, found through /proc (`procRoot` for tests). */
export function portListener(port: number, procRoot = '/proc'): PortListener | undefined {
  const inodes = new Set(
    ['tcp', 'tcp6'].flatMap((file) => {
      const text = readOrUndefined(() => readFileSync(join(procRoot, 'net', file), 'utf8'))
      return text === undefined ? [] : listeningInodes(text, port)
    }),
  )
  if (inodes.size === 0) return undefined
  const pids = (readOrUndefined(() => readdirSync(procRoot)) ?? []).filter((name) => /^\d+$/.test(name))
  for (const pid of pids) {
    const fdDir = join(procRoot, pid, 'fd')
    const fds = readOrUndefined(() => readdirSync(fdDir)) ?? []
    const owns = fds.some((fd) => {
      const target = readOrUndefined(() => readlinkSync(join(fdDir, fd)))
      const inode = target === undefined ? undefined : /^socket:\[(\d+)\]$/.exec(target)?.[1]
      return inode !== undefined && inodes.has(inode)
    })
    if (!owns) continue
    const cwd = readOrUndefined(() => readlinkSync(join(procRoot, pid, 'cwd')))
    const cmdline = readOrUndefined(() => readFileSync(join(procRoot, pid, 'cmdline'), 'utf8'))
    const command = cmdline
      ?.split('\0')
      .filter((part) => part !== '')
      .join(' ')
    return { pid: Number(pid), ...(cwd === undefined ? {} : { cwd }), ...(command === undefined ? {} : { command }) }
  }
  return undefined
}

/**
 * Classifies the listener of a component: a process whose working directory is
 * `<some stack dir>/<component>` belongs to that stack; `pidFile` reads `<stack dir>/run/<component>.pid`.
 */
export function classifyListener(
  listener: PortListener | undefined,
  component: string,
  ownStackDir: string,
  pidFile: (stackDir: string) => number | undefined,
): Ownership {
  if (listener === undefined) return { kind: 'unknown' }
  const { pid, cwd, command } = listener
  if (cwd === undefined || basename(cwd) !== component) {
    return { kind: 'unknown', pid, ...(command === undefined ? {} : { command }) }
  }
  const stackDir = dirname(cwd)
  if (resolve(stackDir) === resolve(ownStackDir)) return { kind: 'ours', pid, stackDir }
  return { kind: 'other-clone', pid, stackDir, pidFileMatches: pidFile(stackDir) === pid }
}

/** The clone a stack folder belongs to: the folder holding `.stack`, else the stack folder itself. */
export function cloneOf(stackDir: string): string {
  return basename(stackDir) === '.stack' ? dirname(stackDir) : stackDir
}

/** One line saying whose a component is, for progress lines and `stack status`. */
export function describeOwnership(ownership: Ownership): string {
  switch (ownership.kind) {
    case 'ours':
      return `started by this clone (pid ${ownership.pid}; its pid file is missing)`
    case 'other-clone':
      return `another clone's: ${cloneOf(ownership.stackDir)} (pid ${ownership.pid}, data in ${ownership.stackDir})`
    case 'unknown': {
      if (ownership.pid === undefined) return 'not started by this clone, owner unknown (its process is not visible here)'
      const command = ownership.command === undefined ? '' : `: ${ownership.command.slice(0, 120)}`
      return `not started by this clone nor by dev-stack as far as can be seen (pid ${ownership.pid}${command})`
    }
  }
}
