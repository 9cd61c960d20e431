/**
 * The set value. Members are latin1 strings (lossless bytes) in a FieldTable: O(1) add, remove, membership and random
 * pick, and SSCAN cursors that survive changes.
 *
 * Redis 7.0 keeps a set of integers as an *intset* (sorted, at most `set-max-intset-entries` members) until a
 * non-integer arrives or it grows too big, and never converts back. That encoding is visible beyond OBJECT ENCODING:
 * SMEMBERS, SSCAN and the SINTER/SUNION/SDIFF family list an intset in ascending numeric order, and SSCAN returns it
 * in one call. So while a set would be an intset we also keep its members sorted (an O(n) insertion, as intsetAdd's
 * memmove is) and iterate in that order; afterwards, in insertion order (a hash table has no order to match).
 */
import { sdsAlloc } from '../memory-size.ts'
import type { AggregateValue } from '../values.ts'
import { FieldTable } from './field-table.ts'

/** Redis 7.0's default for `set-max-intset-entries`. */
export const DEFAULT_SET_MAX_INTSET_ENTRIES = 512

export class RedisSet implements AggregateValue {
  readonly redisType = 'set' as const
  private readonly table: FieldTable<true>
  /** The members in ascending integer order while Redis would hold an intset; null once it is a hash table. */
  private sorted: string[] | null
  /** The sds allocations of the members in Redis's hash-table encoding (memory-size.ts), kept by add and remove. */
  sdsBytes = 0
  /** Bytes per integer of the intset Redis would hold (2, 4 or 8): it only widens, as intsetUpgradeAndAdd. */
  intWidth = 2
  /** The size the database last counted for this value (src/keyspace/database.ts). */
  accounted = 0

  constructor(table: FieldTable<true> = new FieldTable(), sorted: string[] | null = []) {
    this.table = table
    this.sorted = sorted
    if (table.size > 0) {
      table.forEach((member) => {
        this.sdsBytes += sdsAlloc(member.length)
        if (sorted) this.intWidth = Math.max(this.intWidth, intWidthOf(member))
      })
    }
  }

  get length(): number {
    return this.table.size
  }

  get encoding(): 'intset' | 'hashtable' {
    return this.sorted ? 'intset' : 'hashtable'
  }

  get isIntset(): boolean {
    return this.sorted !== null
  }

  has(member: string): boolean {
    return this.table.has(member)
  }

  /** Adds `member`; returns true when it was new. `maxIntsetEntries` is the current `set-max-intset-entries`. */
  add(member: string, maxIntsetEntries: number): boolean {
    if (!this.table.set(member, true)) return false
    this.sdsBytes += sdsAlloc(member.length)
    const sorted = this.sorted
    if (sorted) {
      if (!isInt64String(member) || sorted.length + 1 > maxIntsetEntries) this.sorted = null
      else {
        sorted.splice(insertionPoint(sorted, member), 0, member)
        const width = intWidthOf(member)
        if (width > this.intWidth) this.intWidth = width
      }
    }
    return true
  }

  remove(member: string): boolean {
    if (!this.table.delete(member)) return false
    this.sdsBytes -= sdsAlloc(member.length)
    const sorted = this.sorted
    if (sorted) sorted.splice(insertionPoint(sorted, member) - 1, 1)
    return true
  }

  /** Visits every member in Redis's order for this encoding. The callback must not modify the set. */
  forEach(visit: (member: string) => void): void {
    const sorted = this.sorted
    if (sorted) {
      for (let i = 0; i < sorted.length; i++) visit(sorted[i])
    } else {
      this.table.forEach(visit)
    }
  }

  /** The members in iteration order (a new array of references). */
  members(): string[] {
    return this.sorted ? this.sorted.slice() : this.table.namesArray()
  }

  /** A uniformly chosen member (the set is never empty: empty sets are deleted). */
  randomMember(random: () => number): string {
    return this.table.randomName(random) as string
  }

  /**
   * SSCAN step: up to `count` members after `cursor`, next cursor or 0. An intset is returned whole in one call, as
   * Redis does for every compact encoding.
   */
  scan(cursor: number, count: number, visit: (member: string) => void): number {
    if (this.sorted) {
      this.forEach(visit)
      return 0
    }
    return this.table.scan(cursor, count, visit)
  }

  /** For COPY: an independent set with the same members and encoding. */
  clone(): RedisSet {
    const copy = new RedisSet(this.table.clone(), this.sorted ? this.sorted.slice() : null)
    copy.intWidth = this.intWidth
    return copy
  }
}

/** Whether a latin1 member is what Redis's string2ll accepts: canonical decimal that fits in an int64. */
export function isInt64String(s: string): boolean {
  const len = s.length
  if (len === 0 || len > 20) return false
  let i = 0
  if (s.charCodeAt(0) === 0x2d) {
    if (len === 1) return false
    i = 1
  }
  const first = s.charCodeAt(i)
  if (first === 0x30) return len === 1 // "0" only: no leading zeros, no "-0"
  for (let j = i; j < len; j++) {
    const c = s.charCodeAt(j)
    if (c < 0x30 || c > 0x39) return false
  }
  if (len - i < 19) return true
  const value = BigInt(s)
  return value <= 9223372036854775807n && value >= -9223372036854775808n
}

/** The intset width an integer member needs: 2 bytes within int16, 4 within int32, else 8. */
function intWidthOf(member: string): number {
  if (member.length > 11) return 8
  const n = Number(member)
  if (n >= -32768 && n <= 32767) return 2
  return n >= -2147483648 && n <= 2147483647 ? 4 : 8
}

/** Numeric order of two canonical integer strings, without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 0x2d
  const negB = b.charCodeAt(0) === 0x2d
  if (negA !== negB) return negA ? -1 : 1
  let order: number
  if (a.length !== b.length) order = a.length < b.length ? -1 : 1
  else order = a < b ? -1 : a > b ? 1 : 0
  return negA ? -order : order
}

/** The index after the last element <= `member` in the sorted array. */
function insertionPoint(sorted: string[], member: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareIntStrings(sorted[mid], member) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
