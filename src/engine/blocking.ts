/**
 * Blocked clients: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (and the sorted-set forms) waiting for data.
 *
 * Redis's model, kept here:
 * - A blocking command that finds no data registers its client on each of its keys, FIFO per key, and replies
 *   later. It must not hold the database lock meanwhile: its handler returns the `BLOCKED` sentinel, the executor
 *   releases the lease as for any command, then awaits `wait(client)` (src/engine/executor.ts).
 * - Storing a value at a key someone is blocked on marks the key ready (Database.set calls `valueStored`, as dbAdd
 *   calls signalKeyAsReady). When the top-level command that did it completes — a plain command, a whole EXEC, a whole
 *   script — the executor calls `serveReadyKeys` under that same lease, before releasing it, so no other client can
 *   take the data first: handleClientsBlockedOnKeys. Ready keys are served in the order they became ready, each
 *   key's clients in arrival order while the key still holds a value of the type they wait for, each served client
 *   running its command's serve step under the lease, from the ready key (Redis 7.0 pops from that key, not from the
 *   first of the client's keys). Serving may make more keys ready (BLMOVE pushes), which are served in the same pass.
 * - Timeouts use the engine's TimerQueue (injected clock): a timed-out client gets a nil array. A client that
 *   disconnects is removed from every queue. Inside MULTI or a script nothing blocks: callers check `canBlock`.
 */
import type { CommandContext, CommandSpec } from '../commands/types.ts'
import type { Database, KeyWaiters } from '../keyspace/database.ts'
import { typeName } from '../keyspace/values.ts'
import { parseLongDouble } from '../commands/x87-long-double.ts'
import { InternalErrorReply, NIL_ARRAY, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import type { Client } from './client.ts'
import type { Engine } from './engine.ts'
import type { Lease } from './lock.ts'
import type { TimerHandle } from './timers.ts'

/**
 * What a blocking handler returns when it blocked. Never sent to a client: the executor recognises it by identity and
 * waits for the real reply instead.
 */
export const BLOCKED: Reply = new SimpleString('BLOCKED')

/**
 * Serves a blocked client from `key`, which now holds a value of the awaited type: pops (or moves) and returns the
 * reply. Runs under the lease of the command that made the key ready. Returning undefined keeps the client blocked.
 */
export type ServeStep = (ctx: CommandContext, key: string) => Reply | undefined

export interface BlockRequest {
  /** The keys to wait on, in argument order (duplicates are ignored). */
  readonly keys: readonly string[]
  /** The value type that makes a key ready for this client. */
  readonly type: 'list' | 'zset' | 'stream'
  /** Absolute time (ms, engine clock) at which the client gets a nil array; 0 waits forever. */
  readonly deadline: number
  readonly serve: ServeStep
}

type WaiterState = 'waiting' | 'serving' | 'done'

class Waiter {
  state: WaiterState = 'waiting'
  /** Its reply is settled (served, timed out, unblocked or dropped); only the first settlement counts. */
  settled = false
  timer: TimerHandle | null = null
  readonly queues: KeyQueue[] = []
  resolve!: (reply: Reply) => void
  readonly reply: Promise<Reply>

  constructor(
    readonly client: Client,
    readonly spec: CommandSpec,
    readonly argv: Buffer[],
    readonly request: BlockRequest,
  ) {
    this.reply = new Promise<Reply>((resolve) => {
      this.resolve = resolve
    })
  }
}

/** The clients blocked on one key of one database, in arrival order (a Set iterates in insertion order). */
class KeyQueue implements KeyWaiters {
  readonly waiters = new Set<Waiter>()
  /** Already in the registry's ready list. */
  ready = false

  constructor(
    private readonly registry: BlockingRegistry,
    readonly db: Database,
    readonly key: string,
  ) {}

  valueStored(): void {
    if (this.ready) return
    this.ready = true
    this.registry.markReady(this)
  }
}

export class BlockingRegistry {
  private readonly waiters = new Map<Client, Waiter>()
  /** Replies of clients that blocked during their current command, taken by the executor with `wait`. */
  private readonly pending = new Map<Client, Promise<Reply>>()
  private ready: KeyQueue[] = []

  constructor(private readonly engine: Engine) {}

  /** Number of blocked clients (INFO's blocked_clients). */
  get blockedClients(): number {
    return this.waiters.size
  }

  isBlocked(client: Client): boolean {
    return this.waiters.has(client)
  }

  /** Some key became ready since the last serve: the executor calls `serveReadyKeys` before releasing its lease. */
  get hasReadyKeys(): boolean {
    return this.ready.length > 0
  }

  /**
   * Whether the command may block: only a client's own command does. Inside MULTI (origin 'exec') and scripts a
   * blocking command behaves as its non-blocking form (Redis's CLIENT_DENY_BLOCKING).
   */
  canBlock(ctx: CommandContext): boolean {
    return ctx.origin === 'client'
  }

  /**
   * Blocks the context's client on `request.keys` and returns BLOCKED for the handler to return. The client's reply
   * comes from `wait(client)`.
   */
  block(ctx: CommandContext, request: BlockRequest): Reply {
    const client = ctx.client
    if (this.waiters.has(client)) throw new Error(`${client.name} is already blocked`)
    const waiter = new Waiter(client, ctx.spec, ctx.argv, request)
    const db = ctx.db
    for (const key of request.keys) {
      let queue = db.blockedKeys.get(key) as KeyQueue | undefined
      if (!queue) {
        queue = new KeyQueue(this, db, key)
        db.blockedKeys.set(key, queue)
      }
      if (queue.waiters.has(waiter)) continue
      queue.waiters.add(waiter)
      waiter.queues.push(queue)
    }
    if (request.deadline > 0) {
      waiter.timer = this.engine.timers.schedule(request.deadline, () => this.timedOut(waiter))
    }
    this.waiters.set(client, waiter)
    this.pending.set(client, waiter.reply)
    return BLOCKED
  }

  /**
   * The reply of the command with which `client` blocked (called by the executor after releasing the lease). The seam
   * hears of the wait here rather than in `block`: until now the client was still running its command under a lease.
   */
  wait(client: Client): Promise<Reply> {
    const reply = this.pending.get(client)
    if (!reply) return Promise.resolve(new InternalErrorReply('ERR internal error: no blocked command to wait for'))
    this.pending.delete(client)
    if (this.waiters.get(client)?.state === 'waiting') this.engine.seam.blockedOnKeys?.(client)
    return reply
  }

  /**
   * Marks every blocked-on key of `db` that now holds a value as ready: for operations that change keys without
   * Database.set, such as SWAPDB (Redis's scanDatabaseForReadyKeys). The executor serves them after the command.
   */
  keysMayBeReady(db: Database): void {
    for (const [key, queue] of db.blockedKeys) {
      if (db.table.has(key)) (queue as KeyQueue).valueStored()
    }
  }

  /** Called by a KeyQueue when a value is stored at its key. */
  markReady(queue: KeyQueue): void {
    this.ready.push(queue)
  }

  /**
   * Serves the clients blocked on every ready key, under `lease` (held by the command that made them ready).
   * Keys made ready while serving (BLMOVE's push) are served in the same call.
   */
  async serveReadyKeys(lease: Lease): Promise<void> {
    while (this.ready.length > 0) {
      const batch = this.ready
      this.ready = []
      for (const queue of batch) {
        queue.ready = false
        await this.serveKey(lease, queue)
      }
    }
  }

  /** Disconnect: a blocked client leaves every queue (its reply goes nowhere). */
  removeClient(client: Client): void {
    const waiter = this.waiters.get(client)
    if (waiter?.state === 'waiting') this.finish(waiter, null, false)
    this.pending.delete(client)
  }

  /**
   * CLIENT UNBLOCK: ends a blocked client's wait as a timeout (nil array) or with `error`. Returns whether the client
   * was blocked.
   */
  unblock(client: Client, error?: ReplyError): boolean {
    const waiter = this.waiters.get(client)
    if (waiter?.state !== 'waiting') return false
    this.finish(waiter, error ?? NIL_ARRAY, false)
    return true
  }

  private async serveKey(lease: Lease, queue: KeyQueue): Promise<void> {
    const { db, key } = queue
    const seam = this.engine.seam
    const skipLeft = this.engine.variant.serveRechecksWaiter
    for (const waiter of queue.waiters) {
      // (Mutant serve-left-waiter, simulation only: a client that left is still queued and served like the others.)
      if (waiter.state !== 'waiting' && (skipLeft || waiter.state !== 'done')) continue
      const value = this.keyHolds(db, key)
      if (value === undefined) return
      if (typeName(value) !== waiter.request.type) continue
      // Another client could run before the serve: the waiter may time out, be unblocked or disconnect meanwhile, so
      // it is checked again once the holder resumes (the key cannot change: the holder keeps its lease).
      const paused = seam.point('serve', lease.holder, seam.ignoresDetail ? undefined : waiter.client.name)
      if (paused) {
        await paused
        if (skipLeft && !this.servable(waiter, db, key)) continue
      }
      waiter.state = 'serving'
      let stayBlocked = false
      const serve = waiter.request.serve
      const servingSpec: CommandSpec = {
        ...waiter.spec,
        handler: (ctx) => {
          const reply = serve(ctx, key)
          if (reply !== undefined) return reply
          stayBlocked = true
          return null
        },
      }
      const reply = await this.engine.executor.runUnderLease(
        lease,
        waiter.client,
        servingSpec,
        waiter.argv,
        'client',
        null,
      )
      if (stayBlocked) {
        waiter.state = 'waiting'
        continue
      }
      this.finish(waiter, reply, true)
    }
  }

  /** Whether `waiter` still waits and `key` holds a value of the type it waits for. */
  private servable(waiter: Waiter, db: Database, key: string): boolean {
    if (waiter.state !== 'waiting') return false
    const value = this.keyHolds(db, key)
    return value !== undefined && typeName(value) === waiter.request.type
  }

  /** The value at `key`: a peek, not a recorded access (the serve step itself reads and writes through the Database). */
  private keyHolds(db: Database, key: string) {
    return db.isLogicallyExpired(key) ? undefined : db.table.get(key)
  }

  private timedOut(waiter: Waiter): void {
    if (waiter.state !== 'waiting') return
    // Redis counts a timed-out blocking command as a call when it unblocks.
    const stats = this.engine.executor.commandStats.get(waiter.spec.name)
    if (stats) stats.calls++
    waiter.timer = null
    this.finish(waiter, NIL_ARRAY, false)
  }

  private finish(waiter: Waiter, reply: Reply, served: boolean): void {
    const first = !waiter.settled
    waiter.settled = true
    waiter.state = 'done'
    // Mutant serve-left-waiter (simulation only): a client that stops waiting unserved stays in its keys' queues.
    const leaves = served || this.engine.variant.serveRechecksWaiter
    for (const queue of leaves ? waiter.queues : []) {
      queue.waiters.delete(waiter)
      if (queue.waiters.size === 0 && queue.db.blockedKeys.get(queue.key) === queue) {
        queue.db.blockedKeys.delete(queue.key)
      }
    }
    if (waiter.timer) this.engine.timers.cancel(waiter.timer)
    // Mutant serve-unchecked-waiter: a client served after it left is no longer this registry's (it may block again).
    if (this.waiters.get(waiter.client) === waiter) this.waiters.delete(waiter.client)
    waiter.resolve(reply)
    if (first) this.engine.seam.unblocked?.(waiter.client, served)
  }
}

/**
 * A blocking command's timeout argument, as Redis 7.0's getTimeoutFromObjectOrReply reads it in seconds: a long
 * double as string2ld parses it ("timeout is not a float or out of range" otherwise), times 1000 rounded up to whole
 * milliseconds (so any positive value waits at least 1 ms), then cast to a 64-bit integer, where values too big for
 * one (and infinity) wrap to negative: "timeout is negative" as for real negatives. Returns the absolute deadline on
 * the engine clock, or 0 for "wait forever" (0, or a tiny negative value that rounds up to 0).
 */
export function parseBlockingTimeout(buf: Buffer, now: number): number {
  const seconds = parseLongDouble(buf)
  if (seconds === null) throw new ReplyError('ERR timeout is not a float or out of range')
  const negative = () => new ReplyError('ERR timeout is negative')
  if (seconds.kind !== 'finite') throw negative()
  // ftval * 1000.0 in long double: the exact product rounded to a 64-bit mantissa (ties to even), then ceill.
  let scaled = seconds.mantissa * 1000n
  let exponent = seconds.exponent
  const excess = scaled.toString(2).length - 64
  if (excess > 0) {
    const shift = BigInt(excess)
    const kept = scaled >> shift
    const rest = scaled - (kept << shift)
    const half = 1n << (shift - 1n)
    scaled = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept
    exponent += excess
  }
  let ms: bigint
  if (exponent >= 0) {
    ms = scaled << BigInt(exponent)
  } else {
    const shift = BigInt(-exponent)
    const whole = scaled >> shift
    // ceil(x) for x >= 0, and ceil(-x) = -floor(x).
    ms = seconds.negative ? whole : whole + (whole << shift === scaled ? 0n : 1n)
  }
  if (seconds.negative) ms = -ms
  if (ms < 0n || ms > 9223372036854775807n) throw negative()
  return ms === 0n ? 0 : now + Number(ms)
}
