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
}

export function typeName(value: RedisValue): string {
  return Buffer.isBuffer(value) ? 'string' : value.redisType
}

export function isString(value: RedisValue | undefined): value is Buffer {
  return value !== undefined && Buffer.isBuffer(value)
}
