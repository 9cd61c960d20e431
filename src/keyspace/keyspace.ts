/**
 * All databases of one server, plus what they share: the clock, keyspace statistics, and the recording hook.
 */
import type { Clock } from '../engine/clock.ts'
import { type Lease, LeaseError } from '../engine/lock.ts'
import type { AccessKind, AccessRecorder } from '../engine/seam.ts'
import { AccessClock } from './access-clock.ts'
import { Database } from './database.ts'
import { KeyspaceEvents } from './keyspace-events.ts'

export const DATABASE_COUNT = 16

export interface KeyspaceStats {
  keyspaceHits: number
  keyspaceMisses: number
  expiredKeys: number
}

export class Keyspace {
  readonly dbs: Database[]
  readonly stats: KeyspaceStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0 }
  /** Set by the executor while a script runs, for mutants that make script writes invisible to WATCH. */
  watchTouchAllowed: () => boolean = () => true
  /** Off only in the simulator's expiry-blind-watch mutant: deleting an expired key leaves WATCH intact. */
  expiryTouchesWatch = true
  /**
   * The lease on whose behalf code is running synchronously right now: set by the executor around each handler call
   * and by the engine's periodic work, null in between. Every mutation asserts it is set and alive, so a write from
   * anywhere that does not hold the lock (a timer, a callback, a second path) fails loudly instead of landing inside
   * someone else's script or EXEC. Reads need no lease: INFO, CLIENT LIST and the like peek between commands.
   */
  writer: Lease | null = null
  /** Off only in the simulator's cron-ignores-lease mutant, whose point is a write the checkers must see. */
  checksWriter = true
  /** Every database's `bytes` summed: the dataset as Redis would hold it (src/keyspace/memory-size.ts). */
  bytes = 0
  /** Per-key access stamps: LRU times or LFU counters (src/keyspace/access-clock.ts). */
  readonly access = new AccessClock()
  /** Writes so far, never reset (Redis's server.dirty is this minus its value at the last save). */
  dirty = 0
  /** list-max-listpack-size, which sizes quicklist nodes in the memory model. */
  listFill = -2
  /** Keyspace notifications (notify-keyspace-events), published through the engine's pub/sub. */
  readonly events = new KeyspaceEvents()

  constructor(
    readonly clock: Clock,
    private readonly recorder: AccessRecorder | undefined,
    count = DATABASE_COUNT,
  ) {
    this.dbs = Array.from({ length: count }, (_, i) => new Database(i, this))
  }

  db(index: number): Database {
    return this.dbs[index]
  }

  /** Throws unless a live lease is running right now: see `writer`. */
  assertWritable(): void {
    const writer = this.writer
    if ((writer === null || !writer.alive) && this.checksWriter) {
      throw new LeaseError('keyspace written without holding the lease')
    }
  }

  /** Runs `write` as the holder of `lease` (the keyspace accepts mutations from it), restoring the previous writer. */
  writeUnder<T>(lease: Lease, write: () => T): T {
    const previous = this.writer
    this.writer = lease
    try {
      return write()
    } finally {
      this.writer = previous
    }
  }

  record(kind: AccessKind, db: number, key: string): void {
    if (this.recorder) this.recorder.access(kind, db, key)
  }

  /** SWAPDB: exchanges contents, not Database objects, so clients and watchers keep pointing at "database N". */
  swap(a: number, b: number): void {
    this.assertWritable()
    const da = this.dbs[a]
    const dbb = this.dbs[b]
    // Watched keys that existed before or exist after the swap changed value.
    da.touchExistingWatched()
    dbb.touchExistingWatched()
    ;[da.table, dbb.table] = [dbb.table, da.table]
    ;[da.expires, dbb.expires] = [dbb.expires, da.expires]
    ;[da.bytes, dbb.bytes] = [dbb.bytes, da.bytes]
    da.touchExistingWatched()
    dbb.touchExistingWatched()
  }

  /** The dataset plus what the databases' dicts cost: the keyspace's part of used_memory. O(databases). */
  datasetBytes(): number {
    let total = this.bytes
    for (const db of this.dbs) if (db.size > 0) total += db.overheadBytes()
    return total
  }

  flushAll(): void {
    for (const db of this.dbs) db.flush()
  }
}
