/**
 * The sorted set value: Redis's two-index design. A member table gives O(1) ZSCORE and membership, and keeps stable
 * scan cursors and O(1) random picks (KeyTable); an order-statistic tree gives O(log n) insert, delete, rank and
 * access by rank or score (ScoreTree). Members are latin1 strings (lossless bytes).
 *
 * `encoding` is the representation Redis would be using (OBJECT ENCODING): 'listpack' while small, 'skiplist' once
 * a size threshold was crossed, which is sticky as in Redis. The one observable difference it makes to data is
 * that a listpack stores scores as text, where -0 reads back as 0; `set` mirrors that.
 */
import { KeyTable } from '../key-table.ts'
import { listpackEntry, listpackScore, sdsAlloc } from '../memory-size.ts'
import type { AggregateValue } from '../values.ts'
import { type Boundary, ScoreTree, TreeCursor } from './score-tree.ts'

export type ZsetEncoding = 'listpack' | 'skiplist'

export class SortedSet implements AggregateValue {
  readonly redisType = 'zset' as const
  encoding: ZsetEncoding
  private members: KeyTable<number>
  private tree = new ScoreTree()
  /** Listpack entries of members and scores as Redis would lay them out (memory-size.ts), kept by set and remove. */
  lpBytes = 0
  /** The members' sds allocations in Redis's skip-list encoding (memory-size.ts). */
  sdsBytes = 0
  /** The size the database last counted for this value (src/keyspace/database.ts). */
  accounted = 0

  /** `members` only for tests: a member table with a small shard limit. */
  constructor(encoding: ZsetEncoding = 'listpack', members: KeyTable<number> = new KeyTable()) {
    this.encoding = encoding
    this.members = members
  }

  get length(): number {
    return this.members.size
  }

  score(member: string): number | undefined {
    return this.members.get(member)
  }

  has(member: string): boolean {
    return this.members.has(member)
  }

  /** Inserts `member` or moves it to `score`. Returns true if the member is new. O(log n). */
  set(member: string, score: number): boolean {
    // A listpack keeps scores as text: "-0" is stored and read back as the integer 0.
    if (score === 0 && this.encoding === 'listpack') score = 0
    const old = this.members.get(member)
    if (old === undefined) {
      this.members.set(member, score)
      this.tree.insert(score, member)
      this.lpBytes += listpackEntry(member.length) + listpackScore(score)
      this.sdsBytes += sdsAlloc(member.length)
      return true
    }
    if (Object.is(old, score)) return false
    this.lpBytes += listpackScore(score) - listpackScore(old)
    this.tree.delete(old, member)
    this.tree.insert(score, member)
    this.members.set(member, score)
    return false
  }

  /** Removes `member`; returns whether it was there. O(log n). */
  remove(member: string): boolean {
    const score = this.members.get(member)
    if (score === undefined) return false
    this.members.delete(member)
    this.tree.delete(score, member)
    this.lpBytes -= listpackEntry(member.length) + listpackScore(score)
    this.sdsBytes -= sdsAlloc(member.length)
    return true
  }

  /** 0-based rank in ascending order, or undefined when absent. O(log n). */
  rank(member: string): number | undefined {
    const score = this.members.get(member)
    return score === undefined ? undefined : this.tree.rank(score, member)
  }

  /** Rank of the first element for which the monotone `boundary` holds (length if none). O(log n). */
  rankOf(boundary: Boundary): number {
    return this.tree.rankOf(boundary)
  }

  /** Cursor at ascending rank `rank` (invalid when out of range). O(log n). */
  at(rank: number): TreeCursor {
    return this.tree.at(rank)
  }

  head(): TreeCursor {
    return this.tree.head()
  }

  tail(): TreeCursor {
    return this.tree.tail()
  }

  /** Visits members in the member table from a stable cursor (ZSCAN on the hash-table encoding). */
  scan(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    return this.members.scan(cursor, count, visit)
  }

  /** A uniformly chosen member, or undefined when empty. `random` returns [0, 1). */
  randomMember(random: () => number): string | undefined {
    return this.members.randomKey(random)
  }

  /** Switches to the compact representation (store commands do this for small results), normalizing -0. */
  toListpack(): void {
    if (this.encoding === 'listpack') return
    this.encoding = 'listpack'
    for (const [member, score] of this.members.entries()) {
      if (Object.is(score, -0)) this.set(member, 0)
    }
  }

  /** An independent copy (COPY): same elements, same encoding. O(n). */
  clone(): SortedSet {
    const copy = new SortedSet(this.encoding)
    for (const c = this.tree.head(); c.valid; c.next()) {
      copy.members.set(c.member, c.score)
      copy.tree.insert(c.score, c.member)
    }
    copy.lpBytes = this.lpBytes
    copy.sdsBytes = this.sdsBytes
    return copy
  }
}

export function isSortedSet(value: unknown): value is SortedSet {
  return value instanceof SortedSet
}

export { TreeCursor }
