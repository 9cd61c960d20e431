/**
 * maxmemory: Redis 7.0's performEvictions and the OOM rules of processCommand and scripts (evict.c, server.c,
 * script.c).
 *
 * Before each client command, under that command's lease (so an eviction is a write like any other, never landing
 * inside someone else's script or EXEC), `beforeCommand` compares used_memory (used-memory.ts) with maxmemory and,
 * over the limit, evicts keys by maxmemory-policy until it is back under; when it cannot (noeviction, or nothing left
 * that the policy may evict) a command that may grow memory is refused with OOM. The outcome is remembered for the
 * scripts the command runs (Redis's pre_command_oom_state).
 *
 * Choosing keys: the random policies take a random key of the next database in turn; the others keep Redis's
 * eviction pool, 16 candidates sorted by score (idle time for LRU, 255 minus the counter for LFU, the nearness of the
 * expiry for volatile-ttl), refilled from maxmemory-samples keys sampled in every database, and evict its best
 * candidate that still exists. Sampling draws from the engine's random source and idle times come from the injected
 * clock, so a seed replays the same evictions.
 *
 * One difference: Redis stops a long eviction after maxmemory-eviction-tenacity's time budget and continues from a
 * timer; redsim evicts until under the limit in one go (no wall clock in the engine).
 */
import type { CommandSpec } from '../commands/types.ts'
import type { Database } from '../keyspace/database.ts'
import type { KeyTable } from '../keyspace/key-table.ts'
import { ReplyError } from '../protocol/reply.ts'
import { parseShebang, type ScriptFlags } from '../scripting/shebang.ts'
import type { Client, MultiState } from './client.ts'
import type { Engine } from './engine.ts'
import type { Lease } from './lock.ts'
import { OOM_MESSAGE, SCRIPT_OOM_MESSAGE } from './oom-messages.ts'

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16

/** Commands Redis still accepts inside MULTI when out of memory. */
const MULTI_ALLOWED_WHEN_OOM = new Set(['exec', 'discard', 'quit', 'reset'])

interface PoolEntry {
  /** Higher is a better candidate. */
  readonly score: number
  readonly key: string
  readonly db: number
}

export class Eviction {
  /** maxmemory in bytes, 0 for no limit (kept from CONFIG, read per command). */
  maxmemory = 0
  policy = 'noeviction'
  samples = 5
  /** INFO stats evicted_keys. */
  evictedKeys = 0
  /** Whether the last client command found memory over the limit and could not free it (pre_command_oom_state). */
  oomAtStart = false
  /** Sorted by ascending score: the best candidate last. Kept between evictions, as Redis's static pool. */
  private readonly pool: PoolEntry[] = []
  /** Where the random policies look next (Redis's static next_db). */
  private nextDb = 0
  /** Transactions with a queued command that may grow memory: their EXEC counts as denyoom (mstate.cmd_flags). */
  private readonly denyOomTransactions = new WeakSet<MultiState>()

  constructor(private readonly engine: Engine) {
    const config = engine.config
    const access = engine.keyspace.access
    access.random = engine.random
    config.watch('maxmemory', (v) => {
      this.maxmemory = Number(v)
    })
    config.watch('maxmemory-policy', (v) => {
      this.policy = v
      access.lfu = v.endsWith('-lfu')
    })
    config.watch('maxmemory-samples', (v) => {
      this.samples = Number(v)
    })
    config.watch('lfu-log-factor', (v) => {
      access.lfuLogFactor = Number(v)
    })
    config.watch('lfu-decay-time', (v) => {
      access.lfuDecayTime = Number(v)
    })
    config.watch('list-max-listpack-size', (v) => {
      engine.keyspace.listFill = Number(v)
    })
  }

  /**
   * processCommand's maxmemory step for a client command that holds `lease`: evicts if needed, then the OOM error when
   * the command may not run (null: run it). The caller skips this when maxmemory is 0.
   */
  beforeCommand(lease: Lease, client: Client, spec: CommandSpec, argv: Buffer[]): ReplyError | null {
    this.engine.memory.refreshClient(client)
    const fits = this.engine.keyspace.writeUnder(lease, () => this.perform())
    this.oomAtStart = !fits
    if (fits) return null
    const refused =
      (client.multi !== null && !MULTI_ALLOWED_WHEN_OOM.has(spec.name)) || this.growsMemory(client, spec, argv)
    return refused ? new ReplyError(OOM_MESSAGE) : null
  }

  /**
   * A command is being queued inside MULTI: the OOM error if it must be refused (Redis refuses every command there but
   * EXEC, DISCARD, QUIT and RESET when out of memory), else null and the command's denyoom flag is added to the
   * transaction's, as queueMultiCommand accumulates them (a script's flags as they are now, at queuing time). Queuing
   * holds no lease, so nothing is evicted here: the command is refused only when eviction could not help, i.e. memory
   * is over the limit and the policy has nothing it may evict; otherwise EXEC evicts before it runs.
   */
  queuing(client: Client, spec: CommandSpec, argv: Buffer[]): ReplyError | null {
    if (this.maxmemory > 0 && !MULTI_ALLOWED_WHEN_OOM.has(spec.name)) {
      if (this.engine.memory.used() > this.maxmemory && !this.hasCandidates()) return new ReplyError(OOM_MESSAGE)
    }
    if (client.multi && !this.denyOomTransactions.has(client.multi) && this.commandGrowsMemory(spec, argv)) {
      this.denyOomTransactions.add(client.multi)
    }
    return null
  }

  /**
   * The OOM error for a script declared with a shebang that starts while memory is over the limit, unless it has
   * allow-oom or no-writes (scriptPrepareForRun). Scripts without a shebang are checked per call instead.
   */
  refusesScript(flags: ScriptFlags): ReplyError | null {
    if (!flags.shebang || flags.allowOom || flags.noWrites) return null
    return this.maxmemory > 0 && this.oomAtStart ? new ReplyError(SCRIPT_OOM_MESSAGE) : null
  }

  /**
   * scriptVerifyOOM: whether a script's redis.call of `spec` must fail with OOM. Only a script's first write can be
   * refused (afterwards it cannot be stopped halfway), and not with allow-oom.
   */
  refusesScriptCall(spec: CommandSpec, scriptFlags: ScriptFlags, wrote: boolean): boolean {
    return this.maxmemory > 0 && this.oomAtStart && !wrote && !scriptFlags.allowOom && spec.flags.includes('denyoom')
  }

  /**
   * performEvictions: true when used_memory is (or was brought) within maxmemory, false when it is over the limit and
   * the policy could not evict enough. Runs under the caller's lease.
   */
  perform(): boolean {
    if (this.maxmemory === 0) return true
    const keyspace = this.engine.keyspace
    const used = this.engine.memory.used()
    if (used <= this.maxmemory) return true
    if (this.policy === 'noeviction') return false
    const toFree = used - this.maxmemory
    let freed = 0
    while (freed < toFree) {
      const victim = this.pickVictim()
      if (victim === null) return false
      const before = keyspace.datasetBytes()
      if (victim.db.evict(victim.key)) {
        freed += before - keyspace.datasetBytes()
        this.evictedKeys++
      }
    }
    return true
  }

  /** Whether the policy finds any key it may evict. O(databases). */
  private hasCandidates(): boolean {
    if (this.policy === 'noeviction') return false
    const allKeys = this.policy.startsWith('allkeys-')
    for (const db of this.engine.keyspace.dbs) if ((allKeys ? db.size : db.expires.size) > 0) return true
    return false
  }

  /** Whether Redis counts the command as denyoom: its flag, EXEC with a queued denyoom command, a script's flags. */
  private growsMemory(client: Client, spec: CommandSpec, argv: Buffer[]): boolean {
    if (spec.name === 'exec' && !spec.container)
      return client.multi !== null && this.denyOomTransactions.has(client.multi)
    return this.commandGrowsMemory(spec, argv)
  }

  /** evalGetCommandFlags: a script with a shebang is denyoom unless it declares allow-oom or no-writes. */
  private commandGrowsMemory(spec: CommandSpec, argv: Buffer[]): boolean {
    const name = spec.name
    if (!spec.container && (name === 'eval' || name === 'evalsha' || name === 'eval_ro' || name === 'evalsha_ro')) {
      const flags = this.scriptFlags(name.startsWith('evalsha'), argv[1])
      if (flags?.shebang) return !(flags.allowOom || flags.noWrites)
    }
    if (!spec.container && (name === 'fcall' || name === 'fcall_ro') && argv.length > 1) {
      const flags = this.engine.registeredFunctionFlags?.(argv[1].toString('latin1'))
      if (flags) return !(flags.allowOom || flags.noWrites)
    }
    return spec.flags.includes('denyoom')
  }

  /** The flags of the script an EVAL or EVALSHA names: the cached script's, or the body's shebang; null if unknown. */
  private scriptFlags(bySha: boolean, body: Buffer): ScriptFlags | null {
    if (bySha) {
      // A script not loaded yet has no flags to find; the cache is read without loading the scripting state (which
      // would draw from the engine's random source).
      if (body.length !== 40) return null
      return this.engine.cachedScriptFlags?.(body.toString('latin1')) ?? null
    }
    const parsed = parseShebang(body)
    return 'flags' in parsed ? parsed.flags : null
  }

  /** The next key to evict, or null when the policy finds none. */
  private pickVictim(): { db: Database; key: string } | null {
    const dbs = this.engine.keyspace.dbs
    const allKeys = this.policy.startsWith('allkeys-')
    if (this.policy.endsWith('-random')) {
      const random = this.engine.random
      for (let i = 0; i < dbs.length; i++) {
        this.nextDb = (this.nextDb + 1) % dbs.length
        const db = dbs[this.nextDb]
        const table: KeyTable<unknown> = allKeys ? db.table : db.expires
        if (table.size > 0) return { db, key: table.randomKey(() => random.next()) as string }
      }
      return null
    }
    const pool = this.pool
    for (;;) {
      let total = 0
      for (const db of dbs) {
        const size = allKeys ? db.size : db.expires.size
        if (size === 0) continue
        this.populate(db, allKeys)
        total += size
      }
      if (total === 0) return null
      // Best candidates first; entries whose key is gone since they were sampled are dropped.
      while (pool.length > 0) {
        const entry = pool.pop() as PoolEntry
        const db = dbs[entry.db]
        if (allKeys ? db.table.has(entry.key) : db.expires.has(entry.key)) return { db, key: entry.key }
      }
    }
  }

  /** evictionPoolPopulate: samples keys of `db` and inserts the better ones into the pool. */
  private populate(db: Database, allKeys: boolean): void {
    const random = this.engine.random
    const next = () => random.next()
    const access = this.engine.keyspace.access
    const policy = this.policy
    const consider = (key: string, stamp: number, expireAt: number) => {
      let score: number
      if (policy.endsWith('-lru')) score = access.idleMs(stamp)
      else if (policy.endsWith('-lfu')) score = 255 - access.frequency(stamp)
      else score = Number.MAX_SAFE_INTEGER - expireAt
      this.insert({ score, key, db: db.index })
    }
    if (allKeys) {
      db.table.sample(this.samples, next, (key, _value, stamp) => consider(key, stamp, 0))
    } else {
      db.expires.sample(this.samples, next, (key, at) => consider(key, db.table.stampOf(key) ?? 0, at))
    }
  }

  /** The pool insertion of evictionPoolPopulate: keep the 16 best, ascending, dropping the worst when full. */
  private insert(entry: PoolEntry): void {
    const pool = this.pool
    let k = 0
    while (k < pool.length && pool[k].score < entry.score) k++
    if (pool.length < POOL_SIZE) {
      pool.splice(k, 0, entry)
    } else if (k > 0) {
      // Full: the new entry beats pool[0]; drop that, the worst, and put this one just below the first better one.
      pool.shift()
      pool.splice(k - 1, 0, entry)
    }
  }
}
