/**
 * Where the local stack (`pnpm stack up`) serves Kafka and the Schema Registry: the defaults of
 * every process that talks to them (the ingest worker, the simulator, bench, chaos).
 */
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092'

/** Apicurio Registry's Confluent-compatible API. */
export const DEFAULT_SCHEMA_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7'
