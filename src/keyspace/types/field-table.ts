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

const SMALL_TABLE: KeyTableOptions = { minHolesToCompact: 8 }

export class FieldTable<V> extends KeyTable<V> {
  /** `options` only for tests (a small shard limit); by default a small-table KeyTable. */
  constructor(options?: KeyTableOptions) {
    super(options === undefined ? SMALL_TABLE : { ...SMALL_TABLE, ...options })
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
