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
  return isStringValue(value) ? 'string' : value.redisType
}

/**
 * Whether a stored value is a string. `instanceof Uint8Array` rather than Buffer.isBuffer: every stored string is a
 * Buffer and no aggregate is a Uint8Array, and reading the global `Buffer` goes through an accessor in Node 20, about
 * 20 ns a time on the hot path of every command.
 */
export function isStringValue(value: RedisValue): value is Buffer {
  return value instanceof Uint8Array
}

export function isString(value: RedisValue | undefined): value is Buffer {
  return value !== undefined && value instanceof Uint8Array
}
