/**
 * The one way the stack installs a Debian package it needs (PostgreSQL, Redis, Chromium).
 * apt takes an exclusive lock; a second install started meanwhile (two test files asking for
 * Chromium at once, the machine's own updates) waits for it up to APT_LOCK_WAIT_SECONDS
 * instead of failing on "Could not get lock".
 */
import { execFileSync } from 'node:child_process'
import { StackError } from './errors.js'

const APT_LOCK_WAIT_SECONDS = 600

export function aptInstall(component: string, packages: readonly string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const wait = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT_SECONDS}`]
  try {
    execFileSync('apt-get', [...wait, 'update'], { stdio: 'pipe', env })
    execFileSync('apt-get', [...wait, 'install', '-y', '--no-install-recommends', ...packages], { stdio: 'pipe', env })
  } catch (error) {
    throw new StackError(component, `apt-get install ${packages.join(' ')} failed: ${(error as Error).message}`)
  }
}
