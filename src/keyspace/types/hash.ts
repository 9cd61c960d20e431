/**
 * The hash value: field -> value, fields as latin1 strings (lossless bytes), values as Buffers that are never mutated
 * in place (a change stores a new Buffer), so replies can hand them out without copying.
 */
import type { AggregateValue } from '../values.ts'
import { FieldTable } from './field-table.ts'

/** Redis 7.0's defaults for `hash-max-listpack-entries` and `hash-max-listpack-value`. */
export const DEFAULT_HASH_LISTPACK_ENTRIES = 128
export const DEFAULT_HASH_LISTPACK_VALUE = 64

export class RedisHash implements AggregateValue {
  readonly redisType = 'hash' as const
  readonly fields: FieldTable<Buffer>
  /**
   * Whether Redis would still hold this hash as a listpack: true until it grows past `hash-max-listpack-entries` or
   * gets a field or value longer than `hash-max-listpack-value`; Redis never converts back. It decides what HSCAN
   * returns (a listpack in one call) and what OBJECT ENCODING says.
   */
  private compact = true
  /** The size the database last counted for this value (src/keyspace/database.ts). */
  accounted = 0

  constructor(fields: FieldTable<Buffer> = new FieldTable()) {
    this.fields = fields
  }

  get length(): number {
    return this.fields.size
  }

  get encoding(): 'listpack' | 'hashtable' {
    return this.compact ? 'listpack' : 'hashtable'
  }

  get isListpack(): boolean {
    return this.compact
  }

  /** Converts to a hash table for good, as hashTypeConvert does. */
  convertToHashtable(): void {
    this.compact = false
  }

  /** For COPY: an independent hash with the same fields, order and encoding. */
  clone(): RedisHash {
    const copy = new RedisHash(this.fields.clone())
    copy.compact = this.compact
    return copy
  }
}
