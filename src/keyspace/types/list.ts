/**
 * The list value: a deque in a ring buffer. Elements are Buffers that are never mutated in place, so replies hand
 * them out without copying.
 *
 * Complexity, against Redis's quicklist: push and pop at either end O(1) amortized (Redis O(1)); index access O(1)
 * (Redis O(n), so LINDEX and LSET are at least as fast); insertion and removal in the middle move the elements of the
 * shorter side, O(n) at worst (Redis O(n)); LTRIM O(removed) (Redis O(removed)). The buffer grows by doubling and
 * shrinks by half when three quarters are empty, so memory follows the length.
 */
import { listpackEntry } from '../memory-size.ts'
import type { AggregateValue } from '../values.ts'

const MIN_CAPACITY = 8

export class RedisList implements AggregateValue {
  readonly redisType = 'list' as const
  private ring: Array<Buffer | undefined>
  /** Index in `ring` of element 0; capacity is a power of two, so wrapping is a mask. */
  private head = 0
  private mask: number
  private count = 0
  /** The listpack entries the elements would take in Redis (memory-size.ts), kept by every mutation. */
  entryBytes = 0
  /** The size the database last counted for this value (src/keyspace/database.ts). */
  accounted = 0

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY
    while (size < capacity) size *= 2
    this.ring = new Array(size)
    this.mask = size - 1
  }

  get length(): number {
    return this.count
  }

  /** Redis 7.0 stores every list as a quicklist. */
  get encoding(): 'quicklist' {
    return 'quicklist'
  }

  /** The element at 0-based `index` (caller checks bounds). */
  at(index: number): Buffer {
    return this.ring[(this.head + index) & this.mask] as Buffer
  }

  /** Replaces the element at `index` (caller checks bounds). */
  setAt(index: number, value: Buffer): void {
    const i = (this.head + index) & this.mask
    this.entryBytes += listpackEntry(value.length) - listpackEntry((this.ring[i] as Buffer).length)
    this.ring[i] = value
  }

  pushFront(value: Buffer): void {
    if (this.count === this.ring.length) this.resize(this.ring.length * 2)
    this.head = (this.head - 1) & this.mask
    this.ring[this.head] = value
    this.count++
    this.entryBytes += listpackEntry(value.length)
  }

  pushBack(value: Buffer): void {
    if (this.count === this.ring.length) this.resize(this.ring.length * 2)
    this.ring[(this.head + this.count) & this.mask] = value
    this.count++
    this.entryBytes += listpackEntry(value.length)
  }

  popFront(): Buffer | undefined {
    if (this.count === 0) return undefined
    const value = this.ring[this.head] as Buffer
    this.entryBytes -= listpackEntry(value.length)
    this.ring[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.count--
    this.maybeShrink()
    return value
  }

  popBack(): Buffer | undefined {
    if (this.count === 0) return undefined
    const i = (this.head + this.count - 1) & this.mask
    const value = this.ring[i] as Buffer
    this.entryBytes -= listpackEntry(value.length)
    this.ring[i] = undefined
    this.count--
    this.maybeShrink()
    return value
  }

  /** Inserts `value` so that it ends up at `index` (0..length), moving the shorter side by one. */
  insertAt(index: number, value: Buffer): void {
    if (index === 0) {
      this.pushFront(value)
      return
    }
    if (index === this.count) {
      this.pushBack(value)
      return
    }
    if (this.count === this.ring.length) this.resize(this.ring.length * 2)
    const ring = this.ring
    const mask = this.mask
    if (index < this.count - index) {
      // Shift elements [0, index) one slot to the left.
      this.head = (this.head - 1) & mask
      for (let i = 0; i < index; i++) ring[(this.head + i) & mask] = ring[(this.head + i + 1) & mask]
    } else {
      // Shift elements [index, count) one slot to the right.
      for (let i = this.count; i > index; i--) ring[(this.head + i) & mask] = ring[(this.head + i - 1) & mask]
    }
    ring[(this.head + index) & mask] = value
    this.count++
    this.entryBytes += listpackEntry(value.length)
  }

  /**
   * Removes the elements for which `drop` returns true, scanning from the head (or from the tail when `fromTail`),
   * at most `limit` of them (0 = all). Order of the rest is kept. Returns how many were removed. One O(n) pass.
   */
  removeWhere(drop: (value: Buffer) => boolean, limit: number, fromTail: boolean): number {
    const ring = this.ring
    const mask = this.mask
    const n = this.count
    let removed = 0
    if (!fromTail) {
      let write = 0
      for (let read = 0; read < n; read++) {
        const value = ring[(this.head + read) & mask] as Buffer
        if ((limit === 0 || removed < limit) && drop(value)) {
          removed++
          this.entryBytes -= listpackEntry(value.length)
          continue
        }
        if (write !== read) ring[(this.head + write) & mask] = value
        write++
      }
      for (let i = write; i < n; i++) ring[(this.head + i) & mask] = undefined
    } else {
      let write = n - 1
      for (let read = n - 1; read >= 0; read--) {
        const value = ring[(this.head + read) & mask] as Buffer
        if ((limit === 0 || removed < limit) && drop(value)) {
          removed++
          this.entryBytes -= listpackEntry(value.length)
          continue
        }
        if (write !== read) ring[(this.head + write) & mask] = value
        write--
      }
      for (let i = 0; i <= write; i++) ring[(this.head + i) & mask] = undefined
      this.head = (this.head + removed) & mask
    }
    this.count -= removed
    this.maybeShrink()
    return removed
  }

  /** Keeps elements [start, end] (valid indexes, start <= end), dropping the rest: O(removed). */
  trim(start: number, end: number): void {
    const mask = this.mask
    for (let i = end + 1; i < this.count; i++) this.dropAt((this.head + i) & mask)
    for (let i = 0; i < start; i++) this.dropAt((this.head + i) & mask)
    this.head = (this.head + start) & mask
    this.count = end - start + 1
    this.maybeShrink()
  }

  /** Elements [start, end] (valid indexes) as a new array of references. */
  range(start: number, end: number): Buffer[] {
    const out: Buffer[] = new Array(end - start + 1)
    for (let i = start; i <= end; i++) out[i - start] = this.ring[(this.head + i) & this.mask] as Buffer
    return out
  }

  /** For COPY: an independent list with the same elements (the Buffers are shared: they are never mutated). */
  clone(): RedisList {
    const copy = new RedisList(this.count)
    for (let i = 0; i < this.count; i++) copy.pushBack(this.at(i))
    return copy
  }

  private dropAt(position: number): void {
    this.entryBytes -= listpackEntry((this.ring[position] as Buffer).length)
    this.ring[position] = undefined
  }

  private maybeShrink(): void {
    let capacity = this.ring.length
    if (capacity === MIN_CAPACITY || this.count * 4 > capacity) return
    while (capacity > MIN_CAPACITY && this.count * 4 <= capacity) capacity /= 2
    this.resize(capacity)
  }

  private resize(capacity: number): void {
    const ring: Array<Buffer | undefined> = new Array(capacity)
    for (let i = 0; i < this.count; i++) ring[i] = this.ring[(this.head + i) & this.mask]
    this.ring = ring
    this.head = 0
    this.mask = capacity - 1
  }
}
