/**
 * The local stack's JWT secret: random per stack, generated on first use and kept beside its
 * data (`<STACK_DIR>/secrets/jwt-secret`, mode 0600, folder 0700), so `npm start` (the API it
 * launches) and `pnpm token` sign and verify with the same key, and no published constant
 * ever guards an open port.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stackSettings } from './config.js'

export interface StackSecret {
  readonly secret: string
  readonly path: string
  /** True when this call generated it. */
  readonly created: boolean
}

/** The query API refuses shorter HS256 secrets. */
const MIN_LENGTH = 32

export function stackSecretPath(env: Record<string, string | undefined> = process.env): string {
  return join(stackSettings(env).stackDir, 'secrets', 'jwt-secret')
}

/** Reads the stack's secret, creating it first when there is none. */
export function stackJwtSecret(env: Record<string, string | undefined> = process.env): StackSecret {
  const path = stackSecretPath(env)
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 })
  const fresh = randomBytes(32).toString('base64url')
  try {
    // 'wx': only if absent, so two first uses racing each other keep one secret (the loser reads it).
    writeFileSync(path, `${fresh}\n`, { flag: 'wx', mode: 0o600 })
    return { secret: fresh, path, created: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const secret = readFileSync(path, 'utf8').trim()
  if (secret.length < MIN_LENGTH)
    throw new Error(`${path} holds a secret shorter than ${MIN_LENGTH} characters; delete it to get a new one`)
  return { secret, path, created: false }
}
