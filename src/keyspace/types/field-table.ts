/**
 * The hash table behind hashes (field -> value) and sets (member -> true): a KeyTable (O(1) lookup, HSCAN/SSCAN
 * cursors that stay valid while the table changes, O(1) random picks for SPOP, SRANDMEMBER and HRANDFIELD, and no
 * size limit but memory), tuned for many small tables: holes are compacted as soon as they outnumber live names
 * (plus a little slack), so a small table never carries a long tail of holes, random picks hit a live name at least
 * half the time, and compaction stays amortized O(1) per deletion.
 *
 * Overwriting a name keeps its position, as a Redis listpack keeps the field's place; a name deleted and added again
 * goes to the end.
 */
import { KeyTable, type KeyTableOptions } from '../key-table.ts'
import { listpackEntry, sdsAlloc } from '../memory-size.ts'

const SMALL_TABLE: KeyTableOptions = { minHolesToCompact: 8 }

export class FieldTable<V> extends KeyTable<V> {
  /**
   * For a table of Buffer values (a hash's fields): what names and values would take in Redis, as listpack entries and
   * as sds allocations (memory-size.ts), kept by set and delete so that a hash's size is known in O(1).
   */
  lpBytes = 0
  sdsBytes = 0
  /** Set by the first Buffer value: tables of `true` (sets, which keep their own sums) skip the bookkeeping. */
  private weighed = false

  /** `options` only for tests (a small shard limit); by default a small-table KeyTable. */
  constructor(options?: KeyTableOptions) {
    super(options === undefined ? SMALL_TABLE : { ...SMALL_TABLE, ...options })
  }

  override set(name: string, value: V): boolean {
    // Not Buffer.isBuffer: the global Buffer is an accessor in Node 20, costly on HSET's path.
    if (!(value instanceof Uint8Array)) return super.set(name, value)
    this.weighed = true
    const old = this.get(name) as Buffer | undefined
    if (old !== undefined) {
      this.lpBytes += listpackEntry(value.length) - listpackEntry(old.length)
      this.sdsBytes += sdsAlloc(value.length) - sdsAlloc(old.length)
      return super.set(name, value)
    }
    this.lpBytes += listpackEntry(name.length) + listpackEntry(value.length)
    this.sdsBytes += sdsAlloc(name.length) + sdsAlloc(value.length)
    return super.set(name, value)
  }

  override delete(name: string): boolean {
    if (!this.weighed) return super.delete(name)
    const old = this.get(name) as Buffer | undefined
    if (old === undefined) return false
    // Before the deletion: deleting the last name clears the table, which zeroes the sums.
    this.lpBytes -= listpackEntry(name.length) + listpackEntry(old.length)
    this.sdsBytes -= sdsAlloc(name.length) + sdsAlloc(old.length)
    return super.delete(name)
  }

  override clear(): void {
    super.clear()
    this.lpBytes = 0
    this.sdsBytes = 0
  }

  /** Live names in insertion order (a new array of references). */
  namesArray(): string[] {
    return this.keysArray()
  }

  /** A uniformly chosen live name, or undefined when empty. `random` returns [0, 1). */
  randomName(random: () => number): string | undefined {
    return this.randomKey(random)
  }
}
