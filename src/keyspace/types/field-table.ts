/**
 * The hash table behind hashes (field -> value) and sets (member -> true): a Map for O(1) lookup, plus the names in
 * insertion order with stable sequence numbers, which is what a JS Map cannot give:
 *
 * - HSCAN/SSCAN cursors that stay valid while the table changes: a cursor is the sequence number of the last position
 *   visited, resumed by binary search, so every name present for the whole scan is returned at least once (deletions
 *   and compaction never shift it, new names land after every cursor);
 * - O(1) random access for SPOP, SRANDMEMBER and HRANDFIELD: a random position, retried when it is a hole.
 *
 * The same idea as src/keyspace/key-table.ts, tuned for many small tables: holes are compacted as soon as they
 * outnumber live names (plus a little slack), so a small table never carries a long tail of holes, random picks hit a
 * live name at least half the time, and compaction stays amortized O(1) per deletion.
 *
 * Overwriting a name keeps its position, as a Redis listpack keeps the field's place; a name deleted and added again
 * goes to the end.
 */
export class FieldTable<V> {
  private readonly index = new Map<string, number>()
  private names: Array<string | undefined> = []
  private values: Array<V | undefined> = []
  private seqs: number[] = []
  private nextSeq = 1
  private holes = 0

  get size(): number {
    return this.index.size
  }

  /** Positions in use, live or holes (diagnostics and tests: it drops when the table compacts). */
  get slots(): number {
    return this.names.length
  }

  has(name: string): boolean {
    return this.index.has(name)
  }

  get(name: string): V | undefined {
    const i = this.index.get(name)
    return i === undefined ? undefined : this.values[i]
  }

  /** Inserts or overwrites; returns true when the name is new. */
  set(name: string, value: V): boolean {
    const i = this.index.get(name)
    if (i !== undefined) {
      this.values[i] = value
      return false
    }
    this.index.set(name, this.names.length)
    this.names.push(name)
    this.values.push(value)
    this.seqs.push(this.nextSeq++)
    return true
  }

  delete(name: string): boolean {
    const i = this.index.get(name)
    if (i === undefined) return false
    this.index.delete(name)
    this.names[i] = undefined
    this.values[i] = undefined
    this.holes++
    if (this.index.size === 0) this.clear()
    else if (this.holes > 8 && this.holes > this.index.size) this.compact()
    return true
  }

  clear(): void {
    this.index.clear()
    this.names = []
    this.values = []
    this.seqs = []
    this.holes = 0
  }

  /** Visits live entries in insertion order. The callback must not modify the table. */
  forEach(visit: (name: string, value: V) => void): void {
    const names = this.names
    for (let i = 0; i < names.length; i++) {
      const name = names[i]
      if (name !== undefined) visit(name, this.values[i] as V)
    }
  }

  /** Live names in insertion order (a new array of references). */
  namesArray(): string[] {
    const out: string[] = new Array(this.index.size)
    let n = 0
    for (const name of this.names) if (name !== undefined) out[n++] = name
    return out
  }

  /**
   * Visits up to `count` live entries after `cursor` and returns the next cursor, 0 when the scan is complete.
   * Cursor 0 starts a scan. The callback must not modify the table.
   */
  scan(cursor: number, count: number, visit: (name: string, value: V) => void): number {
    let i = this.firstAfter(cursor)
    let visited = 0
    const names = this.names
    while (i < names.length && visited < count) {
      const name = names[i]
      if (name !== undefined) {
        visit(name, this.values[i] as V)
        visited++
      }
      i++
    }
    if (i >= names.length) return 0
    return this.seqs[i - 1]
  }

  /** A uniformly chosen live name, or undefined when empty. `random` returns [0, 1). */
  randomName(random: () => number): string | undefined {
    if (this.index.size === 0) return undefined
    // At least half the positions are live (see `delete`), so this loop rarely runs more than twice.
    for (let attempt = 0; attempt < 64; attempt++) {
      const name = this.names[Math.floor(random() * this.names.length)]
      if (name !== undefined) return name
    }
    this.compact()
    return this.names[Math.floor(random() * this.names.length)]
  }

  /** An independent table with the same entries and order (values are shared: callers treat them as immutable). */
  clone(): FieldTable<V> {
    const copy = new FieldTable<V>()
    this.forEach((name, value) => {
      copy.set(name, value)
    })
    return copy
  }

  private firstAfter(cursor: number): number {
    let lo = 0
    let hi = this.seqs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.seqs[mid] <= cursor) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private compact(): void {
    const names: string[] = []
    const values: V[] = []
    const seqs: number[] = []
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]
      if (name === undefined) continue
      this.index.set(name, names.length)
      names.push(name)
      values.push(this.values[i] as V)
      seqs.push(this.seqs[i])
    }
    this.names = names
    this.values = values
    this.seqs = seqs
    this.holes = 0
  }
}
