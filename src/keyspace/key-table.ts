/**
 * A hash table of keys that also keeps them in insertion order with stable sequence numbers. Written by hand because
 * a JS Map cannot resume iteration from a cursor: SCAN needs "every key present for the whole scan is returned at
 * least once" while keys come and go, and RANDOMKEY needs O(1) random access. Both work here:
 *
 * - every insertion gets the next sequence number; positions hold keys in ascending sequence order;
 * - a SCAN cursor is a sequence number, resumed by binary search, so deletions and compaction never shift it;
 * - deletions leave holes, compacted when holes outnumber live keys (amortized O(1));
 * - until the first compaction (since creation or the last clear) position i has sequence number `seqBase + i`, so
 *   the sequence numbers are only stored once a compaction makes them irregular: a keyspace that is only added to
 *   (the common case, and every benchmark's) saves 8 bytes and more per key.
 *
 * Overwriting a key keeps its sequence number, as a Redis hash table keeps its bucket.
 */
export class KeyTable<V> {
  private readonly index = new Map<string, number>()
  private keys: Array<string | undefined> = []
  private values: Array<V | undefined> = []
  /** Sequence number per position; null while implicit (`seqBase + position`). */
  private seqs: number[] | null = null
  private seqBase = 1
  private nextSeq = 1
  private holes = 0

  get size(): number {
    return this.index.size
  }

  has(key: string): boolean {
    return this.index.has(key)
  }

  get(key: string): V | undefined {
    const i = this.index.get(key)
    return i === undefined ? undefined : this.values[i]
  }

  /** Inserts or overwrites; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const i = this.index.get(key)
    if (i !== undefined) {
      this.values[i] = value
      return false
    }
    this.index.set(key, this.keys.length)
    this.keys.push(key)
    this.values.push(value)
    if (this.seqs !== null) this.seqs.push(this.nextSeq)
    this.nextSeq++
    return true
  }

  delete(key: string): boolean {
    const i = this.index.get(key)
    if (i === undefined) return false
    this.index.delete(key)
    this.keys[i] = undefined
    this.values[i] = undefined
    this.holes++
    if (this.holes > 1024 && this.holes > this.index.size) this.compact()
    return true
  }

  clear(): void {
    this.index.clear()
    this.keys = []
    this.values = []
    // New keys keep getting higher sequence numbers, so a cursor from before the clear still sees all of them.
    this.seqs = null
    this.seqBase = this.nextSeq
    this.holes = 0
  }

  /** Live keys in insertion order. */
  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]
      if (k !== undefined) yield [k, this.values[i] as V]
    }
  }

  /**
   * Visits up to `count` positions after `cursor` (live or not, as Redis's SCAN visits buckets) and returns the next
   * cursor, 0 when the scan is complete.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    let i = this.firstAfter(cursor)
    let visited = 0
    while (i < this.keys.length && visited < count) {
      const k = this.keys[i]
      if (k !== undefined) {
        visit(k, this.values[i] as V)
        visited++
      }
      i++
    }
    if (i >= this.keys.length) return 0
    return this.seqAt(i - 1)
  }

  private seqAt(position: number): number {
    return this.seqs === null ? this.seqBase + position : this.seqs[position]
  }

  /** A uniformly chosen live key, or undefined when empty. `random` returns [0, 1). */
  randomKey(random: () => number): string | undefined {
    if (this.index.size === 0) return undefined
    for (let attempt = 0; attempt < 64; attempt++) {
      const k = this.keys[Math.floor(random() * this.keys.length)]
      if (k !== undefined) return k
    }
    // Pathologically sparse: compact, then any position is live.
    this.compact()
    return this.keys[Math.floor(random() * this.keys.length)]
  }

  /** The first position whose sequence number is above `cursor`. */
  private firstAfter(cursor: number): number {
    if (this.seqs === null) return Math.min(this.keys.length, Math.max(0, Math.floor(cursor - this.seqBase + 1)))
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
    const keys: string[] = []
    const values: V[] = []
    const seqs: number[] = []
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]
      if (k === undefined) continue
      this.index.set(k, keys.length)
      keys.push(k)
      values.push(this.values[i] as V)
      seqs.push(this.seqAt(i))
    }
    this.keys = keys
    this.values = values
    this.seqs = seqs
    this.holes = 0
  }
}
