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
 *
 * Size. V8 refuses a Map's 2^24th entry, and aborts the process when an array grows past about 2^27 elements, so one
 * Map plus arrays would cap a database (or a hash, set or sorted set) at 16,777,215 keys whatever the memory. A table
 * that reaches `shardLimit` keys therefore splits into shards, each a table of this same class (one Map and its own
 * arrays, never near either limit), chosen by a hash of the key through a directory of 2^bits slots: extendible
 * hashing. Why this and not a hash table of our own: a Map is V8's fastest string-keyed lookup, and a table below the
 * limit (every table in practice) keeps exactly the single-Map code path, with no hashing, so the GET/SET hot path and
 * the per-key memory do not change. Why split one shard at a time rather than rehash everything: a split rehashes only
 * the full shard, so the pause is bounded by the shard size, as a Map doubling its own storage already is, and stays
 * amortized O(1) per insertion; lookups stay O(1): one hash, one directory slot, one Map lookup.
 *
 * Sequence numbers stay global across shards (the table, not the shard, hands them out), so everything ordered by
 * them keeps its meaning whatever the layout: a SCAN cursor is still a sequence number and is resumed in every shard,
 * iteration is still insertion order, and splits and the collapse back to one shard (when the table shrinks below a
 * quarter of the limit) move keys without renumbering them, so no cursor is ever invalidated. RANDOMKEY draws a
 * position uniformly over all shards' positions, as the single table draws one over its own. The price is paid only
 * past the limit and grows with k, the number of shards (about size / (shardLimit / 2), so a handful for any heap V8
 * can have): a SCAN step merges the k shards (O(k log n + count * k)), a random key walks them (O(k)).
 */
import { hashKey } from './key-hash.ts'

export interface KeyTableOptions {
  /** Keys one shard holds before it splits in two (default DEFAULT_SHARD_LIMIT). Tests pass small values. */
  shardLimit?: number
  /** Holes a shard tolerates before compacting, at least (it also waits until holes outnumber live keys). */
  minHolesToCompact?: number
  /**
   * Test-only: the most keys the table accepts; one more insertion throws, as a V8 Map does at its limit. Production
   * never sets it. It is what lets tests prove that multi-key writes check `reserve` before their first write.
   */
  capacity?: number
  /**
   * Keep a small integer per key beside it (the database's per-key access stamp, see access-clock.ts): set by `put`,
   * updated by `getStamped`, read by `stampOf` and `sample`.
   */
  stamps?: boolean
}

/** What `getStamped` asks for the new stamp of a key being accessed. */
export interface Stamper {
  touch(stamp: number): number
}

/**
 * Half of V8's Map limit (2^24 entries), so a shard's Map, deleted entries included, never nears it, and its arrays
 * stay far below V8's array limit.
 */
export const DEFAULT_SHARD_LIMIT = 1 << 23

/**
 * A directory of 2^20 slots (8 MB) addresses about 2^20 * 2^22 keys, far beyond any heap. Past it a shard simply grows
 * on: only keys chosen to share 20 low bits of their (fixed, unseeded: see key-hash.ts) hash could get there.
 */
const MAX_DIRECTORY_BITS = 20

interface Config {
  readonly shardLimit: number
  readonly minHolesToCompact: number
  readonly capacity: number
  readonly stamps: boolean
}

const DEFAULT_CONFIG: Config = {
  shardLimit: DEFAULT_SHARD_LIMIT,
  minHolesToCompact: 1024,
  capacity: Infinity,
  stamps: false,
}

interface Shard<V> {
  readonly table: KeyTable<V>
  /** How many low hash bits all its keys share (extendible hashing's local depth). */
  readonly depth: number
}

interface Sharding<V> {
  /** Slot `hash & mask` holds the shard of a key; a shard of depth d fills 2^(bits - d) slots. */
  dir: Shard<V>[]
  bits: number
  mask: number
  /** Every shard once, in a fixed order (iteration and random picks walk it). */
  readonly list: Shard<V>[]
  size: number
}

export class KeyTable<V> {
  private index = new Map<string, number>()
  private slotKeys: Array<string | undefined> = []
  private slotValues: Array<V | undefined> = []
  /** Per-position stamps (small integers, so an unboxed array) when the table keeps them; null otherwise. */
  private slotStamps: number[] | null
  /** Sequence number per position; null while implicit (`seqBase + position`). */
  private seqs: number[] | null = null
  private seqBase = 1
  private nextSeq = 1
  private holes = 0
  /** Null while this object holds every key itself; then its own index and arrays stay empty. */
  private sharded: Sharding<V> | null = null
  private readonly config: Config

  constructor(options?: KeyTableOptions) {
    this.config = options === undefined ? DEFAULT_CONFIG : { ...DEFAULT_CONFIG, ...options }
    this.slotStamps = this.config.stamps ? [] : null
  }

  get size(): number {
    return this.sharded === null ? this.index.size : this.sharded.size
  }

  /** Positions in use, live or holes (diagnostics and tests: it drops when the table compacts). */
  get slots(): number {
    if (this.sharded === null) return this.slotKeys.length
    let n = 0
    for (const s of this.sharded.list) n += s.table.slotKeys.length
    return n
  }

  /** How many shards hold the keys (1 until the table first reaches its shard limit). */
  get shardCount(): number {
    return this.sharded === null ? 1 : this.sharded.list.length
  }

  has(key: string): boolean {
    if (this.sharded !== null) return this.shardOf(key).table.index.has(key)
    return this.index.has(key)
  }

  get(key: string): V | undefined {
    if (this.sharded !== null) return this.shardOf(key).table.get(key)
    const i = this.index.get(key)
    return i === undefined ? undefined : this.slotValues[i]
  }

  /** Inserts or overwrites; returns true when the key is new. */
  set(key: string, value: V): boolean {
    if (this.sharded !== null) return this.setSharded(key, value)
    const i = this.index.get(key)
    if (i !== undefined) {
      this.slotValues[i] = value
      return false
    }
    if (this.index.size >= this.config.shardLimit) {
      this.split()
      return this.setSharded(key, value)
    }
    if (this.index.size >= this.config.capacity) throw capacityExceeded()
    this.append(key, value, this.nextSeq++)
    return true
  }

  /**
   * `set` for a table with stamps, returning the value it replaced (undefined when the key is new). A new key gets
   * `stamp`; an existing one gets it too unless `keepStamp`.
   */
  put(key: string, value: V, stamp: number, keepStamp: boolean): V | undefined {
    if (this.sharded !== null) {
      const shard = this.shardOf(key).table
      const i = shard.index.get(key)
      if (i !== undefined) return shard.replaceAt(i, value, stamp, keepStamp)
      // A split may have moved the new key to another shard: stamp it wherever it now lives.
      this.setSharded(key, value)
      this.shardOf(key).table.stampKey(key, stamp)
      return undefined
    }
    const i = this.index.get(key)
    if (i !== undefined) return this.replaceAt(i, value, stamp, keepStamp)
    if (this.index.size >= this.config.shardLimit) {
      this.split()
      this.setSharded(key, value)
      this.shardOf(key).table.stampKey(key, stamp)
      return undefined
    }
    if (this.index.size >= this.config.capacity) throw capacityExceeded()
    this.append(key, value, this.nextSeq++, stamp)
    return undefined
  }

  /** Deletes `key` and returns the value it held, or undefined when absent. */
  take(key: string): V | undefined {
    const value = this.get(key)
    if (value !== undefined) this.delete(key)
    return value
  }

  /** `get` that also updates the key's stamp to `stamper.touch(stamp)` (a table with stamps). */
  getStamped(key: string, stamper: Stamper): V | undefined {
    if (this.sharded !== null) return this.shardOf(key).table.getStamped(key, stamper)
    const i = this.index.get(key)
    if (i === undefined) return undefined
    const stamps = this.slotStamps
    if (stamps !== null) stamps[i] = stamper.touch(stamps[i])
    return this.slotValues[i]
  }

  /** The stamp of `key`, or undefined when absent (or the table keeps none). */
  stampOf(key: string): number | undefined {
    if (this.sharded !== null) return this.shardOf(key).table.stampOf(key)
    const i = this.index.get(key)
    return i === undefined || this.slotStamps === null ? undefined : this.slotStamps[i]
  }

  /** Sets the stamp of an existing key. */
  stampKey(key: string, stamp: number): void {
    if (this.sharded !== null) {
      this.shardOf(key).table.stampKey(key, stamp)
      return
    }
    const i = this.index.get(key)
    if (i !== undefined && this.slotStamps !== null) this.slotStamps[i] = stamp
  }

  /**
   * Visits up to `count` live entries picked at random (independently, so one may come twice), as the eviction pool's
   * dictGetSomeKeys samples a dict: O(count) expected. `random` returns [0, 1). The callback must not modify the table.
   */
  sample(count: number, random: () => number, visit: (key: string, value: V, stamp: number) => void): void {
    if (this.size === 0) return
    if (this.sharded !== null) {
      for (let n = 0; n < count; n++) {
        const key = this.randomKeySharded(random)
        const shard = this.shardOf(key).table
        const i = shard.index.get(key) as number
        visit(key, shard.slotValues[i] as V, shard.slotStamps === null ? 0 : shard.slotStamps[i])
      }
      return
    }
    const keys = this.slotKeys
    for (let n = 0; n < count; n++) {
      let i = Math.floor(random() * keys.length)
      for (let attempt = 0; keys[i] === undefined && attempt < 64; attempt++) i = Math.floor(random() * keys.length)
      if (keys[i] === undefined) {
        this.compact()
        i = Math.floor(random() * this.slotKeys.length)
      }
      visit(this.slotKeys[i] as string, this.slotValues[i] as V, this.slotStamps === null ? 0 : this.slotStamps[i])
    }
  }

  /** Overwrites the value at position `i` (and its stamp unless `keepStamp`), returning the old value. */
  private replaceAt(i: number, value: V, stamp: number, keepStamp: boolean): V | undefined {
    const old = this.slotValues[i]
    this.slotValues[i] = value
    if (!keepStamp && this.slotStamps !== null) this.slotStamps[i] = stamp
    return old
  }

  /**
   * Throws, without changing anything, when `newKeys` more keys would not fit. A table has no limit but memory, so
   * this only ever throws under a test's `capacity`; multi-key writes call it (through Database.reserve) before
   * their first write, so that a failing insertion can never leave half a command applied.
   */
  reserve(newKeys: number): void {
    if (this.size + newKeys > this.config.capacity) throw capacityExceeded()
  }

  delete(key: string): boolean {
    const sharded = this.sharded
    if (sharded !== null) {
      if (!this.shardOf(key).table.delete(key)) return false
      sharded.size--
      if (sharded.size < this.config.shardLimit / 4) this.collapse()
      return true
    }
    const i = this.index.get(key)
    if (i === undefined) return false
    this.index.delete(key)
    this.slotKeys[i] = undefined
    this.clearValueAt(i)
    this.holes++
    if (this.index.size === 0) this.clear()
    else if (this.holes > this.config.minHolesToCompact && this.holes > this.index.size) this.compact()
    return true
  }

  clear(): void {
    this.sharded = null
    this.index.clear()
    this.slotKeys = []
    this.slotValues = []
    if (this.slotStamps !== null) this.slotStamps = []
    // New keys keep getting higher sequence numbers, so a cursor from before the clear still sees all of them.
    this.seqs = null
    this.seqBase = this.nextSeq
    this.holes = 0
  }

  /** Live keys in insertion order. */
  *entries(): IterableIterator<[string, V]> {
    if (this.sharded !== null) {
      for (const [key, value] of this.merged(0)) yield [key, value]
      return
    }
    for (let i = 0; i < this.slotKeys.length; i++) {
      const k = this.slotKeys[i]
      if (k !== undefined) yield [k, this.slotValues[i] as V]
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }

  /** Live keys in insertion order. */
  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key
  }

  /** Live values in insertion order. */
  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value
  }

  /** Visits live entries in insertion order. The callback must not modify the table. */
  forEach(visit: (key: string, value: V) => void): void {
    if (this.sharded !== null) {
      for (const [key, value] of this.merged(0)) visit(key, value)
      return
    }
    const keys = this.slotKeys
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]
      if (k !== undefined) visit(k, this.slotValues[i] as V)
    }
  }

  /** Live keys in insertion order (a new array of references). */
  keysArray(): string[] {
    const out: string[] = new Array(this.size)
    let n = 0
    this.forEach((key) => {
      out[n++] = key
    })
    return out
  }

  /**
   * Visits up to `count` positions after `cursor` (live or not, as Redis's SCAN visits buckets) and returns the next
   * cursor, 0 when the scan is complete. Cursor 0 starts a scan. The callback must not modify the table.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    if (this.sharded !== null) {
      let visited = 0
      let last = 0
      for (const [key, value, seq] of this.merged(cursor)) {
        if (visited === count) return last
        visit(key, value)
        visited++
        last = seq
      }
      return 0
    }
    let i = this.firstAfter(cursor)
    let visited = 0
    while (i < this.slotKeys.length && visited < count) {
      const k = this.slotKeys[i]
      if (k !== undefined) {
        visit(k, this.slotValues[i] as V)
        visited++
      }
      i++
    }
    if (i >= this.slotKeys.length) return 0
    return this.seqAt(i - 1)
  }

  /** A uniformly chosen live key, or undefined when empty. `random` returns [0, 1). */
  randomKey(random: () => number): string | undefined {
    if (this.size === 0) return undefined
    if (this.sharded !== null) return this.randomKeySharded(random)
    for (let attempt = 0; attempt < 64; attempt++) {
      const k = this.slotKeys[Math.floor(random() * this.slotKeys.length)]
      if (k !== undefined) return k
    }
    // Pathologically sparse: compact, then any position is live.
    this.compact()
    return this.slotKeys[Math.floor(random() * this.slotKeys.length)]
  }

  /** An independent table with the same entries and order (values are shared: callers treat them as immutable). */
  clone(): this {
    const copy = new (this.constructor as new (options: KeyTableOptions) => this)(this.config)
    this.forEach((key, value) => {
      copy.set(key, value)
    })
    return copy
  }

  /**
   * Drops the value of a position that became a hole, so that it can be collected. A number stays: it holds nothing
   * alive, and writing undefined would turn an unboxed array of doubles (expiry times, scores) into boxed elements,
   * 16 bytes more per entry.
   */
  private clearValueAt(position: number): void {
    if (typeof this.slotValues[position] !== 'number') this.slotValues[position] = undefined
  }

  private seqAt(position: number): number {
    return this.seqs === null ? this.seqBase + position : this.seqs[position]
  }

  /** Adds a key known to be absent with sequence number `seq`, above every one this object holds. */
  private append(key: string, value: V, seq: number, stamp = 0): void {
    if (this.seqs === null) {
      if (this.slotKeys.length === 0) this.seqBase = seq
      else if (seq !== this.seqBase + this.slotKeys.length) this.seqs = this.explicitSeqs()
    }
    this.index.set(key, this.slotKeys.length)
    this.slotKeys.push(key)
    this.slotValues.push(value)
    if (this.slotStamps !== null) this.slotStamps.push(stamp)
    if (this.seqs !== null) this.seqs.push(seq)
  }

  private explicitSeqs(): number[] {
    const seqs: number[] = new Array(this.slotKeys.length)
    for (let i = 0; i < seqs.length; i++) seqs[i] = this.seqBase + i
    return seqs
  }

  /** The first position whose sequence number is above `cursor`. */
  private firstAfter(cursor: number): number {
    if (this.seqs === null) return Math.min(this.slotKeys.length, Math.max(0, Math.floor(cursor - this.seqBase + 1)))
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
    const oldStamps = this.slotStamps
    const stamps: number[] | null = oldStamps === null ? null : []
    for (let i = 0; i < this.slotKeys.length; i++) {
      const k = this.slotKeys[i]
      if (k === undefined) continue
      this.index.set(k, keys.length)
      keys.push(k)
      values.push(this.slotValues[i] as V)
      seqs.push(this.seqAt(i))
      if (stamps !== null) stamps.push((oldStamps as number[])[i])
    }
    this.slotKeys = keys
    this.slotValues = values
    this.slotStamps = stamps
    this.seqs = seqs
    this.holes = 0
  }

  private stampAt(position: number): number {
    return this.slotStamps === null ? 0 : this.slotStamps[position]
  }

  // --- Shards ------------------------------------------------------------------------------------------------------

  private shardOf(key: string): Shard<V> {
    const sharded = this.sharded as Sharding<V>
    return sharded.dir[hashKey(key) & sharded.mask]
  }

  private newShard(depth: number): Shard<V> {
    // A shard never shards itself and has no capacity of its own: the table that owns it decides both.
    const table = new KeyTable<V>({ ...this.config, shardLimit: Infinity, capacity: Infinity })
    return { table, depth }
  }

  private setSharded(key: string, value: V): boolean {
    const sharded = this.sharded as Sharding<V>
    const hash = hashKey(key)
    let shard = sharded.dir[hash & sharded.mask]
    const i = shard.table.index.get(key)
    if (i !== undefined) {
      shard.table.slotValues[i] = value
      return false
    }
    if (sharded.size >= this.config.capacity) throw capacityExceeded()
    while (shard.table.index.size >= this.config.shardLimit && shard.depth < MAX_DIRECTORY_BITS) {
      this.splitShard(shard)
      shard = sharded.dir[hash & sharded.mask]
    }
    shard.table.append(key, value, this.nextSeq++)
    sharded.size++
    return true
  }

  /** Hands this object's own storage to a single shard (split by the next insertion): O(1), nothing is copied. */
  private split(): void {
    const shard = this.newShard(0)
    const t = shard.table
    t.index = this.index
    t.slotKeys = this.slotKeys
    t.slotValues = this.slotValues
    t.slotStamps = this.slotStamps
    t.seqs = this.seqs
    t.seqBase = this.seqBase
    t.holes = this.holes
    const size = this.index.size
    this.index = new Map()
    this.slotKeys = []
    this.slotValues = []
    if (this.slotStamps !== null) this.slotStamps = []
    this.seqs = null
    this.holes = 0
    this.sharded = { dir: [shard], bits: 0, mask: 0, list: [shard], size }
  }

  /**
   * Splits a full shard in two by its next hash bit, doubling the directory when the shard used all its bits. The
   * keys whose bit is 0 stay where they are, in place; only the others move (and leave holes).
   */
  private splitShard(shard: Shard<V>): void {
    const sharded = this.sharded as Sharding<V>
    if (shard.depth === sharded.bits) {
      sharded.dir = sharded.dir.concat(sharded.dir)
      sharded.bits++
      sharded.mask = (1 << sharded.bits) - 1
    }
    const bit = 1 << shard.depth
    const t = shard.table
    const low: Shard<V> = { table: t, depth: shard.depth + 1 }
    const high = this.newShard(shard.depth + 1)
    const keys = t.slotKeys
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]
      if (k === undefined || (hashKey(k) & bit) === 0) continue
      high.table.append(k, t.slotValues[i] as V, t.seqAt(i), t.stampAt(i))
      t.index.delete(k)
      keys[i] = undefined
      t.clearValueAt(i)
      t.holes++
    }
    if (t.index.size === 0) t.clear()
    else if (t.holes > t.config.minHolesToCompact && t.holes > t.index.size) t.compact()
    const dir = sharded.dir
    for (let i = 0; i < dir.length; i++) if (dir[i] === shard) dir[i] = (i & bit) === 0 ? low : high
    sharded.list.splice(sharded.list.indexOf(shard), 1, low, high)
  }

  /** Back to one Map when the table has shrunk well below the limit; amortized over the deletions that shrank it. */
  private collapse(): void {
    const keys: string[] = []
    const values: V[] = []
    const seqs: number[] = []
    const stamps: number[] | null = this.slotStamps === null ? null : []
    for (const [key, value, seq, stamp] of this.merged(0)) {
      keys.push(key)
      values.push(value)
      seqs.push(seq)
      if (stamps !== null) stamps.push(stamp)
    }
    this.sharded = null
    this.index = new Map()
    for (let i = 0; i < keys.length; i++) this.index.set(keys[i], i)
    this.slotKeys = keys
    this.slotValues = values
    this.slotStamps = stamps
    this.seqs = seqs
    this.holes = 0
  }

  /**
   * Live entries of every shard with a sequence number above `after`, in sequence order: a merge of the shards'
   * own ordered positions (the smallest head among k shards, k small: the table's size over the shard limit).
   */
  private *merged(after: number): Generator<[string, V, number, number], void, undefined> {
    const list = (this.sharded as Sharding<V>).list
    const tables = list.map((s) => s.table)
    const heads = tables.map((t) => t.firstAfter(after))
    for (;;) {
      let best = -1
      let bestSeq = Infinity
      for (let j = 0; j < tables.length; j++) {
        const keys = tables[j].slotKeys
        let p = heads[j]
        while (p < keys.length && keys[p] === undefined) p++
        heads[j] = p
        if (p < keys.length) {
          const seq = tables[j].seqAt(p)
          if (seq < bestSeq) {
            bestSeq = seq
            best = j
          }
        }
      }
      if (best < 0) return
      const t = tables[best]
      const p = heads[best]++
      yield [t.slotKeys[p] as string, t.slotValues[p] as V, bestSeq, t.stampAt(p)]
    }
  }

  private randomKeySharded(random: () => number): string {
    const list = (this.sharded as Sharding<V>).list
    for (let attempt = 0; attempt < 64; attempt++) {
      const k = this.keyAtPosition(list, Math.floor(random() * this.slots))
      if (k !== undefined) return k
    }
    for (const s of list) if (s.table.holes > 0) s.table.compact()
    return this.keyAtPosition(list, Math.floor(random() * this.slots)) as string
  }

  /** The key at overall position `n` of the shards' positions laid end to end (undefined for a hole). */
  private keyAtPosition(list: Shard<V>[], n: number): string | undefined {
    for (const s of list) {
      const keys = s.table.slotKeys
      if (n < keys.length) return keys[n]
      n -= keys.length
    }
    return undefined
  }
}

function capacityExceeded(): RangeError {
  return new RangeError('key table capacity exceeded')
}
