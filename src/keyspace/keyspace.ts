/**
 * All databases of one server, plus what they share: the clock, keyspace statistics, and the recording hook.
 */
import type { Clock } from '../engine/clock.ts'
import type { AccessKind, AccessRecorder } from '../engine/seam.ts'
import { Database } from './database.ts'

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

  record(kind: AccessKind, db: number, key: string): void {
    if (this.recorder) this.recorder.access(kind, db, key)
  }

  /** SWAPDB: exchanges contents, not Database objects, so clients and watchers keep pointing at "database N". */
  swap(a: number, b: number): void {
    const da = this.dbs[a]
    const dbb = this.dbs[b]
    // Watched keys that existed before or exist after the swap changed value.
    da.touchExistingWatched()
    dbb.touchExistingWatched()
    ;[da.table, dbb.table] = [dbb.table, da.table]
    ;[da.expires, dbb.expires] = [dbb.expires, da.expires]
    da.touchExistingWatched()
    dbb.touchExistingWatched()
  }

  flushAll(): void {
    for (const db of this.dbs) db.flush()
  }
}
