import { describeValue, type Value, valueHash, valuesEqual } from './values.ts'

/**
 * A model keyspace: an immutable map from key to value with an order-independent hash (the XOR of per-entry hashes),
 * updated incrementally so that hashing a state for the search's cache is O(1).
 */
export class KeyspaceState {
  static readonly empty = new KeyspaceState(new Map(), 0)

  private constructor(
    readonly values: ReadonlyMap<string, Value>,
    readonly hash: number,
  ) {}

  get(key: string): Value | undefined {
    return this.values.get(key)
  }

  equals(other: KeyspaceState): boolean {
    if (this === other) return true
    if (this.hash !== other.hash || this.values.size !== other.values.size) return false
    for (const [key, value] of this.values) {
      const theirs = other.values.get(key)
      if (theirs === undefined || !valuesEqual(value, theirs)) return false
    }
    return true
  }

  describe(): string {
    const keys = [...this.values.keys()].sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}: ${describeValue(this.values.get(key)!)}`).join(', ')}}`
  }

  /** Builds the state that results from applying `changes` (undefined = deleted) to this one. */
  with(changes: ReadonlyMap<string, Value | undefined>): KeyspaceState {
    const values = new Map(this.values)
    let hash = this.hash
    for (const [key, value] of changes) {
      const old = values.get(key)
      if (old !== undefined) hash ^= entryHash(key, old)
      if (value === undefined) values.delete(key)
      else {
        values.set(key, value)
        hash ^= entryHash(key, value)
      }
    }
    return new KeyspaceState(values, hash >>> 0)
  }
}

function entryHash(key: string, value: Value): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  // Mix key and value hashes (murmur3 finalizer) so that swapping values between keys changes the sum.
  h = (h ^ Math.imul(valueHash(value), 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * The keyspace as one operation sees it: reads fall through to the base state, writes collect in an overlay, and
 * `commit` produces the next immutable state (the same object when nothing changed).
 */
export class KeyspaceDraft {
  private changes: Map<string, Value | undefined> | undefined

  constructor(readonly base: KeyspaceState) {}

  get(key: string): Value | undefined {
    const changes = this.changes
    if (changes?.has(key)) return changes.get(key)
    return this.base.get(key)
  }

  set(key: string, value: Value): void {
    this.changes ??= new Map()
    this.changes.set(key, value)
  }

  /** Deletes `key`; returns whether it existed. */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false
    this.changes ??= new Map()
    this.changes.set(key, undefined)
    return true
  }

  commit(): KeyspaceState {
    return this.changes === undefined ? this.base : this.base.with(this.changes)
  }
}
