/** A file lock so that concurrent `up`s (parallel test files calling ensureStackUp) start things once. */
import { setTimeout as sleep } from 'node:timers/promises'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { isAlive } from './proc.js'

function tryAcquire(file: string): boolean {
  try {
    const fd = openSync(file, 'wx')
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return false
  }
}

function holderGone(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8').trim()
    // an empty file is a lock being written right now, unless it was left behind long ago
    if (text === '') return Date.now() - statSync(file).mtimeMs > 10_000
    const pid = Number(text)
    return !Number.isInteger(pid) || pid <= 0 || !isAlive(pid)
  } catch {
    return true
  }
}

export async function withLock<T>(file: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true })
  const deadline = Date.now() + timeoutMs
  while (!tryAcquire(file)) {
    if (holderGone(file)) rmSync(file, { force: true })
    else if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by another dev-stack process)`)
    else await sleep(250)
  }
  try {
    return await work()
  } finally {
    rmSync(file, { force: true })
  }
}
