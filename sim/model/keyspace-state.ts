import { describeValue, hashText, type Value, valueHash, valuesEqual } from './values.ts'

/**
 * A model keyspace: an immutable map from key to value, each key's expiry time, the virtual clock, and the keys each
 * client WATCHes (with whether one of them was touched since). Its hash is maintained incrementally (the XOR of
 * per-key entry hashes, plus the small clock and watch parts), so hashing a state for the search's cache is O(1).
 */

/** A client's WATCH: the keys, and whether any was modified (or expired) since. */
export interface Watch {
  readonly keys: readonly string[]
  readonly dirty: boolean
}

export class KeyspaceState {
  static initial(now = 0): KeyspaceState {
    return new KeyspaceState(new Map(), new Map(), new Map(), now, 0)
  }

  private constructor(
    readonly values: ReadonlyMap<string, Value>,
    /** Absolute expiry time (ms of the virtual clock) of keys that have one. */
    readonly expires: ReadonlyMap<string, number>,
    /** By client id. */
    readonly watches: ReadonlyMap<string, Watch>,
    /** The virtual clock (ms), as last announced by a clock operation. */
    readonly now: number,
    /** XOR of the entry hashes of all keys (value and expiry). */
    private readonly keysHash: number,
  ) {}

  private cachedHash: number | undefined

  /** The state's hash: the keys' part, mixed with the clock and the watches (computed once: states are immutable). */
  get hash(): number {
    if (this.cachedHash !== undefined) return this.cachedHash
    let h = this.keysHash ^ Math.imul(hashText(0x811c9dc5, String(this.now)), 0x2545f491)
    for (const [client, watch] of this.watches) h ^= watchHash(client, watch)
    this.cachedHash = h >>> 0
    return this.cachedHash
  }

  get(key: string): Value | undefined {
    return this.values.get(key)
  }

  equals(other: KeyspaceState): boolean {
    if (this === other) return true
    if (this.keysHash !== other.keysHash || this.now !== other.now) return false
    if (this.values.size !== other.values.size || this.expires.size !== other.expires.size) return false
    if (this.watches.size !== other.watches.size) return false
    for (const [key, value] of this.values) {
      const theirs = other.values.get(key)
      if (theirs === undefined || !valuesEqual(value, theirs)) return false
    }
    for (const [key, at] of this.expires) if (other.expires.get(key) !== at) return false
    for (const [client, watch] of this.watches) {
      const theirs = other.watches.get(client)
      if (theirs === undefined || theirs.dirty !== watch.dirty || theirs.keys.join('\0') !== watch.keys.join('\0')) {
        return false
      }
    }
    return true
  }

  describe(): string {
    const keys = [...this.values.keys()].sort()
    const parts = keys.map((key) => {
      const at = this.expires.get(key)
      const ttl = at === undefined ? '' : ` (expires at ${at})`
      return `${JSON.stringify(key)}: ${describeValue(this.values.get(key)!)}${ttl}`
    })
    for (const [client, watch] of this.watches) {
      parts.push(`watch(${client}): [${watch.keys.join(', ')}]${watch.dirty ? ' dirty' : ''}`)
    }
    return `{${parts.join(', ')}}`
  }

  /** The state after a draft's changes. */
  with(draft: {
    values: ReadonlyMap<string, Value | undefined>
    expires: ReadonlyMap<string, number | undefined>
    watches: ReadonlyMap<string, Watch | undefined>
    now: number
  }): KeyspaceState {
    const values = draft.values.size > 0 ? new Map(this.values) : (this.values as Map<string, Value>)
    const expires = draft.expires.size > 0 ? new Map(this.expires) : (this.expires as Map<string, number>)
    let keysHash = this.keysHash
    for (const key of draft.values.keys()) keysHash = applyChange(key, draft, values, expires, keysHash)
    for (const key of draft.expires.keys()) {
      if (!draft.values.has(key)) keysHash = applyChange(key, draft, values, expires, keysHash)
    }
    let watches = this.watches
    if (draft.watches.size > 0) {
      const next = new Map(this.watches)
      for (const [client, watch] of draft.watches) {
        if (watch === undefined) next.delete(client)
        else next.set(client, watch)
      }
      watches = next
    }
    return new KeyspaceState(values, expires, watches, draft.now, keysHash >>> 0)
  }
}

/** Applies one key's value and expiry changes to the maps being built; returns the updated keys hash. */
function applyChange(
  key: string,
  draft: { values: ReadonlyMap<string, Value | undefined>; expires: ReadonlyMap<string, number | undefined> },
  values: Map<string, Value>,
  expires: Map<string, number>,
  keysHash: number,
): number {
  const oldValue = values.get(key)
  if (oldValue !== undefined) keysHash ^= entryHash(key, oldValue, expires.get(key))
  if (draft.values.has(key)) {
    const value = draft.values.get(key)
    if (value === undefined) values.delete(key)
    else values.set(key, value)
  }
  if (draft.expires.has(key)) {
    const at = draft.expires.get(key)
    if (at === undefined) expires.delete(key)
    else expires.set(key, at)
  }
  const newValue = values.get(key)
  if (newValue !== undefined) keysHash ^= entryHash(key, newValue, expires.get(key))
  return keysHash
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function entryHash(key: string, value: Value, expiresAt: number | undefined): number {
  let h = hashText(0x811c9dc5, key)
  h ^= Math.imul(valueHash(value), 0x9e3779b1)
  if (expiresAt !== undefined) h = hashText(h, String(expiresAt))
  // The finalizer makes the XOR of entries order-independent yet sensitive to which key holds which value.
  return mix(h >>> 0)
}

function watchHash(client: string, watch: Watch): number {
  let h = hashText(0x3c6ef372, client)
  for (const key of watch.keys) h = hashText(h, key)
  return mix((h ^ (watch.dirty ? 0x5bd1e995 : 0)) >>> 0)
}

/**
 * The keyspace as one operation sees it: reads fall through to the base state, writes collect in overlays, and
 * `commit` produces the next immutable state (the same object when nothing changed).
 *
 * Every write marks its key as touched, which makes the WATCHes on it dirty: commands call `set`/`delete` only when
 * Redis would signal the key as modified (a SET NX that does nothing, or a ZREM that removes nothing, does not).
 */
export class KeyspaceDraft {
  // Overlays, created on first write: most steps of the search are reads, and they allocate nothing.
  private values: Map<string, Value | undefined> | undefined
  private expires: Map<string, number | undefined> | undefined
  private watches: Map<string, Watch | undefined> | undefined
  private touched: Set<string> | undefined
  now: number

  constructor(readonly base: KeyspaceState) {
    this.now = base.now
  }

  /** The live value of `key`; a key past its expiry time is deleted on access (lazy expiry), as in Redis. */
  get(key: string): Value | undefined {
    const values = this.values
    const value = values?.has(key) ? values.get(key) : this.base.get(key)
    if (value === undefined) return undefined
    const at = this.expiresAt(key)
    if (at !== undefined && this.now > at) {
      this.writeValue(key, undefined)
      this.writeExpiry(key, undefined)
      return undefined
    }
    return value
  }

  /** Writes a value. `keepTtl` keeps an existing expiry (in-place updates: APPEND, INCR, RPUSH...). */
  set(key: string, value: Value, keepTtl: boolean): void {
    this.writeValue(key, value)
    if (!keepTtl && this.expiresAt(key) !== undefined) this.writeExpiry(key, undefined)
  }

  /** Deletes `key`; returns whether it existed. */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false
    this.writeValue(key, undefined)
    if (this.expiresAt(key) !== undefined) this.writeExpiry(key, undefined)
    return true
  }

  expiresAt(key: string): number | undefined {
    const expires = this.expires
    return expires?.has(key) ? expires.get(key) : this.base.expires.get(key)
  }

  /** Sets (or, with undefined, removes) the expiry of an existing key. */
  setExpiry(key: string, at: number | undefined): void {
    this.writeExpiry(key, at)
  }

  watchOf(client: string): Watch | undefined {
    const watches = this.watches
    return watches?.has(client) ? watches.get(client) : this.base.watches.get(client)
  }

  setWatch(client: string, watch: Watch | undefined): void {
    this.watches ??= new Map()
    this.watches.set(client, watch)
  }

  /** Keys whose expiry time has passed at the current clock (Redis: expired when now > expiry time). */
  expiredKeys(): string[] {
    const expired: string[] = []
    for (const key of this.base.expires.keys()) if (this.isPast(key)) expired.push(key)
    if (this.expires) {
      for (const key of this.expires.keys()) if (this.isPast(key) && !expired.includes(key)) expired.push(key)
    }
    return expired
  }

  private isPast(key: string): boolean {
    const at = this.expiresAt(key)
    return at !== undefined && this.now > at
  }

  commit(): KeyspaceState {
    this.dirtyWatches()
    if (this.values === undefined && this.expires === undefined && this.watches === undefined) {
      if (this.now === this.base.now) return this.base
    }
    return this.base.with({
      values: this.values ?? EMPTY,
      expires: this.expires ?? EMPTY,
      watches: this.watches ?? EMPTY,
      now: this.now,
    })
  }

  private writeValue(key: string, value: Value | undefined): void {
    this.values ??= new Map()
    this.values.set(key, value)
    this.touch(key)
  }

  private writeExpiry(key: string, at: number | undefined): void {
    this.expires ??= new Map()
    this.expires.set(key, at)
    this.touch(key)
  }

  private touch(key: string): void {
    this.touched ??= new Set()
    this.touched.add(key)
  }

  /** WATCHes on a touched key become dirty (EXEC will abort). */
  private dirtyWatches(): void {
    if (this.touched === undefined) return
    if (this.base.watches.size === 0 && this.watches === undefined) return
    for (const client of this.base.watches.keys()) this.dirtyIfTouched(client)
    if (this.watches) for (const client of [...this.watches.keys()]) this.dirtyIfTouched(client)
  }

  private dirtyIfTouched(client: string): void {
    const watch = this.watchOf(client)
    if (watch === undefined || watch.dirty) return
    for (const key of watch.keys) {
      if (this.touched!.has(key)) {
        this.setWatch(client, { keys: watch.keys, dirty: true })
        return
      }
    }
  }
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>()
