/**
 * One numbered database: keys, their expiry times, and who WATCHes them. Every read and write of a key goes through
 * here, which is what lets it (1) expire keys lazily on access, (2) invalidate WATCH on every modification, and
 * (3) report each access to the simulator's recorder. Commands never reach the underlying tables directly.
 *
 * Keys are latin1 strings: a lossless 1:1 mapping of bytes, so Map lookups are binary-safe.
 */
import type { Client } from '../engine/client.ts'
import { KeyTable } from './key-table.ts'
import type { Keyspace } from './keyspace.ts'
import { DICT_ENTRY, DICT_ENTRY_ALLOC, dictTableBytes, keyEntryBytes } from './memory-size.ts'
import { exactValueBytes, valueBytes } from './value-memory.ts'
import { isStringValue, type RedisValue } from './values.ts'
import { NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_NEW } from './keyspace-events.ts'

/** The clients blocked on one key, as the database sees them (src/engine/blocking.ts implements it). */
export interface KeyWaiters {
  /** A value was stored at the key: it may now serve its waiting clients. */
  valueStored(): void
}

export class Database {
  /**
   * Not readonly only so that SWAPDB can exchange contents between two databases. Each key carries its access stamp
   * (LRU time or LFU counter, src/keyspace/access-clock.ts) beside it.
   */
  table = new KeyTable<RedisValue>({ stamps: true })
  /**
   * What the keys and values cost as Redis would hold them, MEMORY USAGE summed over the keys (src/keyspace/memory-size.ts):
   * kept by every write below, so used_memory is known in O(1). SWAPDB exchanges it with the table.
   */
  bytes = 0
  /**
   * Absolute expiry time in ms for keys that have one. A KeyTable rather than a Map, as are the two tables below:
   * each can hold as many entries as there are keys, past a Map's 2^24 limit; iteration is insertion order as a Map's.
   */
  expires = new KeyTable<number>()
  /** Where active expiry continues its walk of `expires` (a KeyTable scan cursor; 0 starts over). */
  private expireCursor = 0
  /** Clients watching each key of this database (stays with the index across SWAPDB). */
  readonly watchers = new KeyTable<Set<Client>>()
  /**
   * Keys that blocked clients (BLPOP, BZPOPMIN, ...) wait on, maintained by src/engine/blocking.ts. Storing a value at
   * one of them marks it ready, as Redis's dbAdd calls signalKeyAsReady; its clients are served after the command.
   */
  readonly blockedKeys = new KeyTable<KeyWaiters>()

  constructor(
    readonly index: number,
    private readonly keyspace: Keyspace,
  ) {}

  get size(): number {
    return this.table.size
  }

  /** The value at `key`, or undefined; expires the key first if its time has passed. Records a read. */
  get(key: string): RedisValue | undefined {
    this.keyspace.record('read', this.index, key)
    if (this.expires.size > 0 && this.expireIfNeeded(key)) {
      this.keyspace.stats.keyspaceMisses++
      return undefined
    }
    // An access updates the key's LRU time or LFU counter, as lookupKey does.
    const value = this.table.getStamped(key, this.keyspace.access)
    if (value === undefined) this.keyspace.stats.keyspaceMisses++
    else this.keyspace.stats.keyspaceHits++
    return value
  }

  /**
   * `get` without updating the key's access stamp: Redis's LOOKUP_NOTOUCH (OBJECT, TYPE, TTL and the like read a key
   * without making it recently used). Counts a hit or miss and records a read.
   */
  getNoTouch(key: string): RedisValue | undefined {
    this.keyspace.record('read', this.index, key)
    if (this.expires.size > 0 && this.expireIfNeeded(key)) {
      this.keyspace.stats.keyspaceMisses++
      return undefined
    }
    const value = this.table.get(key)
    if (value === undefined) this.keyspace.stats.keyspaceMisses++
    else this.keyspace.stats.keyspaceHits++
    return value
  }

  /** Like `get`, for a command that will modify the value; records a write and does not count hits. */
  getForWrite(key: string): RedisValue | undefined {
    this.keyspace.record('write', this.index, key)
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return undefined
    return this.table.getStamped(key, this.keyspace.access)
  }

  /** Whether `key` exists (after lazy expiry). Records a read. */
  has(key: string): boolean {
    this.keyspace.record('read', this.index, key)
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return false
    return this.table.has(key)
  }

  /**
   * Throws, changing nothing, unless the keys not yet in the table all fit. A multi-key write calls it after its other
   * checks and before its first write, so a write that cannot land fails the whole command before any other did.
   * Counts keys present in the table, expired or not, as fitting: storing at them overwrites; an absent key named
   * twice counts twice (an upper bound, in O(n)). Records nothing: it reads no value.
   */
  reserve(keys: readonly string[]): void {
    let absent = 0
    for (const key of keys) if (!this.table.has(key)) absent++
    this.table.reserve(absent)
  }

  /**
   * Stores `value` at `key`. Clears any TTL unless `keepTtl`. Invalidates watchers. Records a write.
   * Returns true if the key was new.
   */
  set(key: string, value: RedisValue, keepTtl = false): boolean {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    if (!keepTtl) this.expires.delete(key)
    const access = this.keyspace.access
    // A new value starts with a fresh stamp; under LFU an overwrite keeps the old counter, as dbSetValue does.
    const old = this.table.put(key, value, access.initial(), access.lfu)
    // The old size first: `value` may be the same aggregate, whose `accounted` still holds what was counted for it.
    // The key's own part changes only when the key is new.
    const freed = old === undefined ? -keyEntryBytes(key.length) : this.countedValueBytes(old)
    this.account(this.measureValue(value) - freed)
    this.touch(key)
    if (this.blockedKeys.size > 0) this.blockedKeys.get(key)?.valueStored()
    if (old === undefined) this.notify(NOTIFY_NEW, 'new', key)
    return old === undefined
  }

  /** A keyspace notification about `key` in this database (published only if its class is enabled). */
  notify(type: number, event: string, key: string): void {
    this.keyspace.events.notify(type, event, key, this.index)
  }

  /** Deletes `key` if present (expired keys count as absent). Invalidates watchers. Records a write. */
  delete(key: string): boolean {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return false
    return this.removeStored(key)
  }

  /**
   * Evicts `key` to free memory (src/engine/eviction.ts): deleted whether or not its TTL has passed, as
   * performEvictions' dbSyncDelete does, with WATCH invalidated and a write recorded. Returns whether it existed.
   */
  evict(key: string): boolean {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    const removed = this.removeStored(key)
    if (removed) this.notify(NOTIFY_EVICTED, 'evicted', key)
    return removed
  }

  /** Removes a stored key and its TTL, uncounts its bytes and invalidates its watchers; false when absent. */
  private removeStored(key: string): boolean {
    const old = this.table.take(key)
    if (old === undefined) return false
    this.account(-this.countedBytes(key, old))
    this.expires.delete(key)
    this.touch(key)
    return true
  }

  /** Tells watchers and the recorder that the value at `key` was modified in place (aggregates). */
  modified(key: string): void {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    const value = this.table.get(key)
    // The aggregate changed size in place: count the difference (strings are never modified in place).
    if (value !== undefined && !isStringValue(value) && value.accounted !== undefined) {
      const size = valueBytes(value, this.keyspace.listFill)
      this.account(size - value.accounted)
      value.accounted = size
    }
    this.touch(key)
  }

  /** MEMORY USAGE of `key` (undefined when absent): its sds, its dictEntry and its value, as memory-size.ts models them. */
  memoryUsage(key: string): number | undefined {
    const value = this.table.get(key)
    return value === undefined ? undefined : keyEntryBytes(key.length) + exactValueBytes(value, this.keyspace.listFill)
  }

  /**
   * What the dicts themselves cost beyond the per-key figures in `bytes`: the bucket arrays of the keys' and the
   * expiry dicts, each expiry's dictEntry, and what jemalloc really hands out for a dictEntry.
   */
  overheadBytes(): number {
    const keys = this.table.size
    const expires = this.expires.size
    return (
      keys * (DICT_ENTRY_ALLOC - DICT_ENTRY) +
      dictTableBytes(keys) +
      expires * DICT_ENTRY_ALLOC +
      dictTableBytes(expires)
    )
  }

  /** The value's size, remembered on an aggregate (its `accounted`). */
  private measureValue(value: RedisValue): number {
    const size = valueBytes(value, this.keyspace.listFill)
    if (!isStringValue(value) && value.accounted !== undefined) value.accounted = size
    return size
  }

  /** What `measureValue` counted for a value still in `bytes` (an aggregate may have changed since). */
  private countedValueBytes(value: RedisValue): number {
    // A value without `accounted` (a test's stand-in) has a fixed size: measure it again.
    return isStringValue(value) || value.accounted === undefined
      ? valueBytes(value, this.keyspace.listFill)
      : value.accounted
  }

  /** What the key and its value count for in `bytes`. */
  private countedBytes(key: string, value: RedisValue): number {
    return keyEntryBytes(key.length) + this.countedValueBytes(value)
  }

  private account(delta: number): void {
    this.bytes += delta
    this.keyspace.bytes += delta
  }

  /** The absolute expiry time of `key` in ms, or undefined when it has none. Caller has checked existence. */
  getExpire(key: string): number | undefined {
    return this.expires.get(key)
  }

  /** Sets the absolute expiry of an existing key. Invalidates watchers. */
  setExpire(key: string, at: number): void {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    this.expires.set(key, at)
    this.touch(key)
  }

  /** Removes the TTL of an existing key; returns whether it had one. */
  persist(key: string): boolean {
    this.keyspace.assertWritable()
    this.keyspace.record('write', this.index, key)
    if (!this.expires.delete(key)) return false
    this.touch(key)
    return true
  }

  /**
   * Removes every key. Invalidates the watchers of keys that were present (expired but not yet deleted included), as
   * Redis's touchAllWatchedKeysInDb does: a watched key that was already absent is not "modified" by the flush.
   */
  flush(): number {
    this.keyspace.assertWritable()
    const removed = this.table.size
    for (const [key, clients] of this.watchers) {
      if (this.table.has(key)) for (const c of clients) c.dirtyCas = true
    }
    this.table.clear()
    this.expires.clear()
    this.account(-this.bytes)
    this.keyspace.dirty += removed
    return removed
  }

  /** True if `key` has a TTL that has passed, without deleting it (WATCH at EXEC time, KEYS filtering). */
  isLogicallyExpired(key: string): boolean {
    const at = this.expires.get(key)
    return at !== undefined && this.keyspace.clock.now() > at
  }

  /** Deletes `key` if its TTL has passed; returns whether it did. */
  expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key)
    if (at === undefined || this.keyspace.clock.now() <= at) return false
    // Lazy expiry is a write like any other: it happens inside the command (or cron pass) that holds the lease.
    this.keyspace.assertWritable()
    const old = this.table.take(key)
    if (old !== undefined) this.account(-this.countedBytes(key, old))
    this.expires.delete(key)
    this.keyspace.stats.expiredKeys++
    this.touchExpired(key)
    this.notify(NOTIFY_EXPIRED, 'expired', key)
    return true
  }

  /**
   * One loop of active expiry (src/engine/active-expiry.ts): looks at up to `samples` keys with a TTL from where the
   * previous loop stopped and deletes the expired ones. `wrapped`: the walk reached the end and starts over.
   */
  expireStep(samples: number): { sampled: number; expired: number; wrapped: boolean } {
    const now = this.keyspace.clock.now()
    const due: string[] = []
    let sampled = 0
    this.expireCursor = this.expires.scan(this.expireCursor, samples, (key, at) => {
      sampled++
      if (now > at) due.push(key)
    })
    let expired = 0
    for (const key of due) {
      this.keyspace.record('write', this.index, key)
      if (this.expireIfNeeded(key)) expired++
    }
    return { sampled, expired, wrapped: this.expireCursor === 0 }
  }

  /** Invalidates watchers of keys that exist here (SWAPDB: their value changed identity). */
  touchExistingWatched(): void {
    for (const [key, clients] of this.watchers) {
      if (this.table.has(key)) for (const c of clients) c.dirtyCas = true
    }
  }

  /**
   * An expired key was deleted. A client that WATCHed it when it had already expired sees no change (Redis 7.0's
   * touchWatchedKey clears the watch's expired flag instead of flagging the client); everyone else is flagged.
   */
  private touchExpired(key: string): void {
    if (this.watchers.size === 0) return
    const clients = this.watchers.get(key)
    if (!clients || !this.keyspace.watchTouchAllowed() || !this.keyspace.expiryTouchesWatch) return
    for (const c of clients) {
      const watch = c.watched.find((w) => w.db === this.index && w.key === key)
      if (watch?.expiredAtWatch) watch.expiredAtWatch = false
      else c.dirtyCas = true
    }
  }

  private touch(key: string): void {
    // Every write passes here: the change count that save points and INFO's rdb_changes_since_last_save read.
    this.keyspace.dirty++
    if (this.watchers.size === 0) return
    const clients = this.watchers.get(key)
    if (clients && this.keyspace.watchTouchAllowed()) for (const c of clients) c.dirtyCas = true
  }
}
