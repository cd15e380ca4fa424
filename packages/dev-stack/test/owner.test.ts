/**
 * Whose Kafka or registry answers on a port: read from /proc, never by touching the shared stack.
 * A fake /proc tree checks the parsing; a tiny listener started here (working directory inside a
 * fake clone's `.stack`, like dev-stack starts Kafka) checks the real /proc walk.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { foreignServices, ownershipOf, type ManagedService } from '../src/managed.js'
import { classifyListener, cloneOf, describeOwnership, listeningInodes, portListener } from '../src/owner.js'

const TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:2384 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 41002 1 0000000000000000 20 4 30 10 -1',
  '   2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41003 1 0000000000000000 100 0 0 10 0',
  '',
].join('\n')
const TCP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 52001 1 0000000000000000 100 0 0 10 0',
  '',
].join('\n')

t.test('listening sockets of a port, from /proc/net/tcp and tcp6 text', async (t) => {
  t.same(listeningInodes(TCP, 9092), ['41001'], 'only the LISTEN line of 9092, not its connections')
  t.same(listeningInodes(TCP, 8081), ['41003'])
  t.same(listeningInodes(TCP6, 8081), ['52001'], 'IPv6 (and v4-mapped) listeners too')
  t.same(listeningInodes(TCP, 5432), [])
})

t.test('a fake /proc: the listener, its working directory and command line', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ea-owner-proc-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'net'))
  writeFileSync(join(root, 'net', 'tcp'), TCP)
  writeFileSync(join(root, 'net', 'tcp6'), TCP6)
  const process = (pid: number, cwd: string, socket: string): void => {
    mkdirSync(join(root, String(pid), 'fd'), { recursive: true })
    symlinkSync('/dev/null', join(root, String(pid), 'fd', '0'))
    symlinkSync(`socket:[${socket}]`, join(root, String(pid), 'fd', '7'))
    symlinkSync(cwd, join(root, String(pid), 'cwd'))
    writeFileSync(join(root, String(pid), 'cmdline'), ['java', '-Xmx512m', 'kafka.Kafka', ''].join('\0'))
  }
  process(4100, '/home/a/clone-a/.stack/kafka', '41001')
  process(5200, '/home/b/clone-b/.stack/registry', '52001')
  mkdirSync(join(root, 'self'))

  t.same(portListener(9092, root), { pid: 4100, cwd: '/home/a/clone-a/.stack/kafka', command: 'java -Xmx512m kafka.Kafka' })
  t.match(portListener(8081, root), { pid: 5200, cwd: '/home/b/clone-b/.stack/registry' })
  t.equal(portListener(5432, root), undefined, 'nobody listens')

  const pidFiles = (stackDir: string): number | undefined => (stackDir === '/home/a/clone-a/.stack' ? 4100 : undefined)
  const kafka = portListener(9092, root)
  t.same(classifyListener(kafka, 'kafka', '/home/a/clone-a/.stack', pidFiles), {
    kind: 'ours',
    pid: 4100,
    stackDir: '/home/a/clone-a/.stack',
  })
  const foreign = classifyListener(kafka, 'kafka', '/work/mine/.stack', pidFiles)
  t.same(foreign, { kind: 'other-clone', pid: 4100, stackDir: '/home/a/clone-a/.stack', pidFileMatches: true })
  t.equal(describeOwnership(foreign), "another clone's: /home/a/clone-a (pid 4100, data in /home/a/clone-a/.stack)")
  t.match(
    classifyListener(kafka, 'registry', '/work/mine/.stack', pidFiles),
    { kind: 'unknown', pid: 4100 },
    'a working directory that is not the component folder of a stack: owner unknown',
  )
  t.match(describeOwnership(classifyListener(undefined, 'kafka', '/x', pidFiles)), /owner unknown/)
  t.equal(cloneOf('/srv/stack-data'), '/srv/stack-data', 'a STACK_DIR not named .stack is named itself')
})

t.test('a real listener in another clone is found through /proc and named', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'ea-owner-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const otherStack = join(base, 'clone-b', '.stack')
  const ownStack = join(base, 'clone-a', '.stack')
  mkdirSync(join(otherStack, 'kafka'), { recursive: true })
  mkdirSync(join(otherStack, 'run'), { recursive: true })
  const listener = spawn(
    process.execPath,
    ['-e', "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))"],
    { cwd: join(otherStack, 'kafka'), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  t.teardown(() => void listener.kill())
  const [chunk] = (await once(listener.stdout, 'data')) as [Buffer]
  const port = Number(chunk.toString().trim())
  const pid = listener.pid!
  writeFileSync(join(otherStack, 'run', 'kafka.pid'), `${pid}\n`)

  t.match(portListener(port), { pid, cwd: join(otherStack, 'kafka') }, 'the pid listening on the port and its folder')
  const service = (stackDir: string): ManagedService => ({
    name: 'kafka',
    stackDir,
    pidFile: join(stackDir, 'run', 'kafka.pid'),
    logFile: join(stackDir, 'kafka', 'kafka.log'),
    marker: 'never-matches-this-marker',
    address: `PLAINTEXT://127.0.0.1:${port}`,
    ports: [port],
    startTimeoutMs: 1_000,
    answers: async () => true,
    launch: async () => {
      throw new Error('must not start anything')
    },
  })
  t.same(ownershipOf(service(ownStack)), { kind: 'other-clone', pid, stackDir: otherStack, pidFileMatches: true })
  t.same(ownershipOf(service(otherStack)), { kind: 'ours', pid, stackDir: otherStack }, 'the owning clone sees its own')
  const foreign = await foreignServices([service(ownStack)])
  t.same(
    foreign.map(({ service, owner }) => [service.name, owner.kind]),
    [['kafka', 'other-clone']],
    'refused by `up --refuse-foreign` (npm start)',
  )
})
