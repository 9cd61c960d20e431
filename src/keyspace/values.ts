/**
 * The value types a key can hold. Strings are Buffers (binary-safe, no lossy conversions). The aggregate types are
 * classes added by their own modules; `typeName` is the single place that maps a value to its TYPE reply.
 */
export type RedisValue = Buffer | AggregateValue

/** Aggregate values (hash, list, set, zset, ...) carry their Redis type name. */
export interface AggregateValue {
  readonly redisType: 'hash' | 'list' | 'set' | 'zset' | 'stream'
  /** Element count; an aggregate that reaches 0 is deleted by the command that emptied it. */
  readonly length: number
  /**
   * The size the database last counted for this value (memory accounting: src/keyspace/database.ts). Every type
   * declares it; optional only so that a test's stand-in aggregate need not.
   */
  accounted?: number
}

export function typeName(value: RedisValue): string {
  return Buffer.isBuffer(value) ? 'string' : value.redisType
}

export function isString(value: RedisValue | undefined): value is Buffer {
  return value !== undefined && Buffer.isBuffer(value)
}
