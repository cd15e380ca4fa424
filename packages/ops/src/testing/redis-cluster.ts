/**
 * A disposable Redis Cluster of a test's own: `masters` redis-servers with cluster mode on, on
 * free loopback ports, each with its own temporary directory (nodes.conf; no persistence),
 * joined by `redis-cli --cluster create` with no replicas. Resolves once every node reports
 * `cluster_state:ok`, so the first command a test sends finds the slot map complete.
 * Throws (never skips) when redis-server or redis-cli cannot be run.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import type { RedisNode } from '../config.js'
import { startRedisServer, type RedisServer } from './redis-server.js'

const run = promisify(execFile)

export interface RedisClusterOptions {
  /** Masters (at least 3: redis-cli refuses fewer). Default 3. */
  readonly masters?: number
  /** Extra redis-server arguments for every node, e.g. a maxmemory-policy. */
  readonly args?: readonly string[]
}

export interface RedisCluster {
  /** The seed nodes, as REDIS_CLUSTER_NODES lists them. */
  readonly nodes: readonly RedisNode[]
  /** `host:port,host:port`: the value of REDIS_CLUSTER_NODES / CACHE_REDIS_CLUSTER_NODES. */
  readonly nodesVariable: string
  /** Stops every node and removes their directories. Idempotent. */
  stop(): Promise<void>
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  const dirs: string[] = []
  const servers: RedisServer[] = []
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(servers.map((server) => server.stop()))
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
    })()
    return stopped
  }
  try {
    for (let index = 0; index < masters; index += 1) {
      const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'))
      dirs.push(dir)
      const clusterArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir]
      servers.push(await startRedisServer({ args: [...clusterArgs, ...(options.args ?? [])] }))
    }
    const nodes = servers.map((server): RedisNode => ({ host: '127.0.0.1', port: server.port }))
    const addresses = nodes.map((node) => `${node.host}:${node.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'])
    await Promise.all(nodes.map((node) => waitForClusterOk(node)))
    return { nodes, nodesVariable: addresses.join(','), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** `redis-cli --cluster create` returns once slots are assigned; the nodes agree a little later. */
async function waitForClusterOk(node: RedisNode): Promise<void> {
  const client = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 })
  try {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const info = String(await client.call('CLUSTER', 'INFO'))
      if (/^cluster_state:ok\r?$/m.test(info)) return
      await sleep(100)
    }
    throw new Error(`the Redis Cluster node ${node.host}:${node.port} never reported cluster_state:ok`)
  } finally {
    client.disconnect()
  }
}
