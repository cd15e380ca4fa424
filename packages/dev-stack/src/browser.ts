/**
 * Debian's Chromium for the browser tests (driven by playwright-core), installed with apt-get
 * when missing, like the stack installs PostgreSQL and Redis. Not part of `stack up`: only the
 * browser tests need it (`pnpm stack browser`, which `npm test` runs before the tests).
 */
import { existsSync } from 'node:fs'
import { aptInstall } from './apt.js'
import { StackError } from './errors.js'
import type { Progress } from './errors.js'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Flags for a headless run on a machine without a network: without the last five, Chromium
 * tries to reach Google's services and waits on them.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** The Chromium executable, installed first when it is missing. */
export function ensureChromium(progress: Progress = () => undefined): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH
  progress('… chromium: not installed, installing chromium with apt-get')
  aptInstall('chromium', ['chromium', 'fonts-noto-cjk'])
  if (!existsSync(CHROMIUM_PATH)) throw new StackError('chromium', `installed, but ${CHROMIUM_PATH} is missing`)
  return CHROMIUM_PATH
}
