export * from './redis-server.js'
export * from './redis-cluster.js'
