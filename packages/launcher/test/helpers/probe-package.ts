/** A package as `npm start` launches a service: its `start` script run from the package's own node_modules/.bin. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Writes package `probe` under `root` (`node` linked into its bin folder) with `files`; returns its directory. */
export function writeProbePackage(root: string, startScript: string, files: Readonly<Record<string, string>>): string {
  const dir = join(root, 'probe')
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true })
  symlinkSync(process.execPath, join(dir, 'node_modules', '.bin', 'node'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: startScript } }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
