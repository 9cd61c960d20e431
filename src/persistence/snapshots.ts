/**
 * An engine's RDB snapshots: SAVE, BGSAVE (now or SCHEDULEd), the `save` points checked by the server cron, SHUTDOWN's
 * final save, loading at start and what INFO persistence reports.
 *
 * A background save is consistent by construction: the keyspace is serialized under the caller's lease (a command's,
 * or the cron's), at one point in time, into immutable chunks; only the file work (write, fsync, rename), which is
 * what takes long, runs in the background while other clients go on. A copy-on-write view was the alternative, but
 * aggregates are mutated in place through several paths (not only Database.getForWrite), so every one of them would
 * have to copy before writing; serializing costs one pass over the data, about what Redis's fork costs in page
 * copies, and cannot miss a write. The time it holds the lock is reported by `npm run bench:persistence`.
 *
 * Everything here is deterministic (the engine's clock; I/O only through the injected SnapshotStore).
 */
import type { Engine } from '../engine/engine.ts'
import type { CommandSpec } from '../commands/types.ts'
import { ReplyError } from '../protocol/reply.ts'
import {
  existingFunctionLibraries,
  LibrarySet,
  replaceFunctionLibraries,
} from '../scripting/functions/function-registry.ts'
import { captureSnapshot, decodeSnapshot, type Snapshot, serializeCapture, stampFromIdle } from './rdb-file.ts'
import { RdbError } from './rdb-format.ts'
import { encodingLimits } from './rdb-values.ts'
import type { SnapshotStore } from './snapshot-store.ts'

/** CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, save points wait this long before trying again. */
const BGSAVE_RETRY_DELAY_MS = 5000

export const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."

export interface LoadResult {
  loaded: number
  expired: number
}

export class Snapshots {
  /** A background save's file work, while it runs. */
  private inFlight: Promise<void> | null = null
  private bgsaveStartedAt = 0
  /** Bumped when a synchronous save supersedes the running background one, whose file must then not land. */
  private generation = 0
  lastBgsaveStatus: 'ok' | 'err' = 'ok'
  /** Seconds the last background save took, -1 before the first. */
  lastBgsaveSeconds = -1
  private lastBgsaveTry = 0
  /** Completed saves of either kind (INFO rdb_saves). */
  saves = 0
  /** The keyspace's change counter at the last successful save (INFO rdb_changes_since_last_save). */
  private dirtyAtSave = 0
  lastLoad: LoadResult = { loaded: 0, expired: 0 }

  constructor(
    private readonly engine: Engine,
    readonly store: SnapshotStore,
  ) {}

  get inProgress(): boolean {
    return this.inFlight !== null
  }

  /** Seconds the running background save has taken so far, -1 when none runs. */
  currentBgsaveSeconds(): number {
    return this.inFlight ? Math.floor((this.engine.clock.now() - this.bgsaveStartedAt) / 1000) : -1
  }

  changesSinceSave(): number {
    return this.engine.keyspace.dirty - this.dirtyAtSave
  }

  /**
   * The keyspace as it is now, as RDB file chunks produced on demand from a capture taken here (call under a lease):
   * what the keyspace does afterwards does not change them.
   */
  private encode(): Iterable<Buffer> {
    const { engine } = this
    const policy = engine.config.get('maxmemory-policy')
    const capture = captureSnapshot(engine.keyspace, {
      compress: engine.config.get('rdbcompression') === 'yes',
      checksum: engine.config.get('rdbchecksum') === 'yes',
      now: engine.clock.now(),
      usedMemory: engine.memory.used(),
      saveLruIdle: policy.includes('lru'),
      functions: [...(existingFunctionLibraries(engine)?.libraries.values() ?? [])].map((library) => library.code),
    })
    return { [Symbol.iterator]: () => serializeCapture(capture) }
  }

  private saved(dirtyAtSnapshot: number): void {
    this.dirtyAtSave = dirtyAtSnapshot
    this.saves++
    this.engine.lastSave = Math.floor(this.engine.clock.now() / 1000)
  }

  /** SAVE (and SHUTDOWN's final save): serializes and writes synchronously. Returns whether it succeeded. */
  saveNow(): boolean {
    const dirty = this.engine.keyspace.dirty
    try {
      this.store.writeSync(this.encode())
    } catch (err) {
      this.engine.log('warning', `Failed saving the DB: ${(err as Error).message}`)
      return false
    }
    this.engine.log('notice', 'DB saved on disk')
    this.saved(dirty)
    this.lastBgsaveStatus = 'ok'
    return true
  }

  /**
   * BGSAVE: takes the snapshot now (under the caller's lease) and writes it in the background. False when a
   * background save is already running.
   */
  saveInBackground(): boolean {
    if (this.inFlight) return false
    const { engine } = this
    const dirty = engine.keyspace.dirty
    this.bgsaveStartedAt = engine.clock.now()
    this.lastBgsaveTry = this.bgsaveStartedAt
    let chunks: Iterable<Buffer>
    try {
      chunks = this.encode()
    } catch (err) {
      this.finishBackground(false, dirty, err)
      return true
    }
    engine.log('notice', 'Background saving started')
    const generation = this.generation
    const write = this.store.write(chunks, () => this.generation !== generation)
    this.inFlight = write.then(
      () => this.finishBackground(true, dirty, null),
      (err) => this.finishBackground(false, dirty, err),
    )
    return true
  }

  private finishBackground(ok: boolean, dirty: number, err: unknown): void {
    const { engine } = this
    this.inFlight = null
    this.lastBgsaveSeconds = Math.floor((engine.clock.now() - this.bgsaveStartedAt) / 1000)
    if (ok) {
      engine.log('notice', 'Background saving terminated with success')
      this.saved(dirty)
      this.lastBgsaveStatus = 'ok'
    } else {
      engine.log('warning', `Background saving error: ${(err as Error)?.message ?? err}`)
      this.lastBgsaveStatus = 'err'
    }
  }

  /** Resolves when no background save is running (tests, SHUTDOWN, DEBUG-style reloads). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight
  }

  /** serverCron's part: a background save at the first `save` point reached. Call under the cron's lease. */
  cron(): void {
    if (this.inFlight) return
    const { engine } = this
    const now = engine.clock.now()
    const mayRetry = this.lastBgsaveStatus === 'ok' || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_MS
    if (!mayRetry) return
    const points = savePoints(engine.config.get('save'))
    const changes = this.changesSinceSave()
    const elapsed = Math.floor(now / 1000) - engine.lastSave
    for (const [seconds, needed] of points) {
      if (changes >= needed && elapsed > seconds) {
        engine.log('notice', `${needed} changes in ${seconds} seconds. Saving...`)
        this.saveInBackground()
        return
      }
    }
  }

  /**
   * SHUTDOWN's and SIGTERM's final save (prepareForShutdown): with SAVE, or when save points are configured and not
   * NOSAVE. A running background save is abandoned first. Returns false when the server must not exit: the save
   * failed and FORCE was not given.
   */
  saveBeforeShutdown(save: boolean, nosave: boolean, force: boolean): boolean {
    if (nosave || (!save && this.engine.config.get('save') === '')) return true
    if (this.inFlight) {
      this.generation++
      this.engine.log('warning', 'There is a child saving an .rdb. Killing it!')
    }
    this.engine.log('notice', 'Saving the final RDB snapshot before exiting.')
    if (this.saveNow()) return true
    this.engine.log('warning', "Error trying to save the DB, can't exit.")
    return force
  }

  /** MISCONF for a write (or PING) while the last background save failed, as writeCommandsDeniedByDiskError. */
  refusesWrite(spec: CommandSpec): ReplyError | null {
    if (this.lastBgsaveStatus === 'ok') return null
    const { config } = this.engine
    if (config.get('stop-writes-on-bgsave-error') !== 'yes' || config.get('save') === '') return null
    return spec.flags.includes('write') || spec.name === 'ping' ? new ReplyError(MISCONF_ERROR) : null
  }

  /** Parses a snapshot with this engine's settings. Throws RdbError. */
  decode(file: Buffer): Snapshot {
    const { config } = this.engine
    return decodeSnapshot(file, {
      limits: encodingLimits(config),
      verifyChecksum: config.get('rdbchecksum') === 'yes',
      databases: this.engine.keyspace.dbs.length,
    })
  }

  /**
   * Replaces every database with the snapshot in `file` (call under a lease). All or nothing: the file is parsed
   * completely before the keyspace is touched, so a corrupt file changes nothing. Keys already expired are not
   * loaded, as a master skips them.
   */
  load(file: Buffer): LoadResult {
    const snapshot = this.decode(file)
    const { engine } = this
    // The function libraries first (rdbFunctionLoad): a library that does not load fails the whole load.
    const libraries = new LibrarySet()
    for (const code of snapshot.functions) {
      const created = libraries.create(engine, code, false)
      if (typeof created !== 'string') throw new RdbError(`Failed loading library: ${created.error}`)
    }
    if (libraries.libraries.size > 0 || (existingFunctionLibraries(engine)?.libraries.size ?? 0) > 0) {
      replaceFunctionLibraries(engine, libraries)
    }
    const keyspace = engine.keyspace
    const now = engine.clock.now()
    const access = keyspace.access
    access.now = now
    const policy = engine.config.get('maxmemory-policy')
    const lru = policy.includes('lru')
    const lfu = policy.includes('lfu')
    keyspace.flushAll()
    const result: LoadResult = { loaded: 0, expired: 0 }
    for (const [index, keys] of snapshot.dbs) {
      const db = keyspace.db(index)
      for (const entry of keys) {
        if (entry.expireAt !== undefined && entry.expireAt < now) {
          result.expired++
          continue
        }
        if (db.table.has(entry.key)) {
          throw new RdbError(`RDB has duplicated key '${entry.key}' in DB ${index}`)
        }
        db.set(entry.key, entry.value)
        if (entry.expireAt !== undefined) db.setExpire(entry.key, entry.expireAt)
        if (lru && entry.idle !== undefined) db.table.stampKey(entry.key, stampFromIdle(access.lruClock(), entry.idle))
        else if (lfu && entry.freq !== undefined) {
          db.table.stampKey(entry.key, ((Math.floor(now / 60000) & 65535) << 8) | entry.freq)
        }
        result.loaded++
      }
    }
    if (snapshot.emptyKeysSkipped > 0) {
      engine.log('warning', `Skipped ${snapshot.emptyKeysSkipped} empty keys`)
    }
    // A freshly loaded dataset is what is on disk: nothing to save yet.
    this.dirtyAtSave = keyspace.dirty
    this.lastLoad = result
    return result
  }

  /**
   * Loads the store's snapshot, if there is one (server start). Throws RdbError when it is unreadable, after logging
   * Redis's lines for it.
   */
  loadFromStore(): LoadResult | null {
    const file = this.store.read()
    if (file === null) return null
    const { engine } = this
    try {
      const result = engine.direct(() => this.load(file))
      engine.log('notice', `Done loading RDB, keys loaded: ${result.loaded}, keys expired: ${result.expired}.`)
      return result
    } catch (err) {
      if (err instanceof RdbError) logLoadFailure(engine, err)
      throw err
    }
  }
}

/** The lines redis-server logs before exiting on a file it cannot load (rdbLoad's failure paths). */
function logLoadFailure(engine: Engine, err: RdbError): void {
  const header = err.message.startsWith('Wrong signature') || err.message.startsWith("Can't handle")
  if (header || err.kind === 'unsupported') {
    engine.log('warning', err.message)
    engine.log('warning', 'Fatal error loading the DB: Invalid argument. Exiting.')
    return
  }
  if (err.kind === 'eof') engine.log('warning', 'Short read or OOM loading DB. Unrecoverable error, aborting now.')
  const checksum = err.message.startsWith('Wrong RDB checksum')
  if (checksum) engine.log('warning', err.message)
  engine.log(
    'warning',
    `Internal error in RDB reading offset 0, function at rdb.c -> ${checksum ? 'RDB CRC error' : err.message}`,
  )
  engine.log('warning', 'Terminating server after rdb file reading failure.')
}

/** The `save` parameter's pairs: [seconds, changes]. */
export function savePoints(value: string): Array<[number, number]> {
  if (value === '') return []
  const numbers = value.split(' ').map(Number)
  const points: Array<[number, number]> = []
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]])
  return points
}

/** SAVE's and BGSAVE's refusal while a background save runs. */
export const SAVE_IN_PROGRESS = 'ERR Background save already in progress'
