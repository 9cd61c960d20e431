/**
 * The executor: the one path every command takes, from whichever front end, to the command table and the keyspace.
 *
 *   execute(client, argv)            a command from a client (TCP, in-process or simulated)
 *     seam 'arrive'
 *     resolve in the command table   unknown command / subcommand, arity
 *     auth, MULTI queueing, busy-script check
 *     acquire the lock               seam 'lock-wait' (only if it must wait), seam 'lock-acquired'
 *     runUnderLease(lease, ...)      the handler runs; EXEC and scripts call runUnderLease again for each inner
 *                                    command with the lease they already hold, never acquiring again
 *     release the lease              in `finally`, every path
 *     seam 'reply'
 */
import {
  fullName,
  type CommandContext,
  type CommandOrigin,
  type CommandSpec,
  type ScriptFrame,
} from '../commands/types.ts'
import type { CommandTable } from '../commands/table.ts'
import { unwatchAll } from '../keyspace/watch.ts'
import { Errors, QUEUED, type Reply, ReplyError, ScriptRaisedError } from '../protocol/reply.ts'
import { BLOCKED } from './blocking.ts'
import { feedMonitorsAfter, feedMonitorsBefore } from './monitors.ts'
import type { Client } from './client.ts'
import type { Engine } from './engine.ts'
import type { Lease } from './lock.ts'
import { subscribedModeError } from './pubsub.ts'
import { CORRECT_EXECUTOR, isScriptCommand, scriptHoldsLease } from './variant.ts'

/** Commands that run at once even inside MULTI (Redis 7.0's list in processCommand). */
const MULTI_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset'])

export interface CommandStats {
  calls: number
  usec: number
  rejectedCalls: number
  failedCalls: number
}

export class Executor {
  readonly commandStats = new Map<string, CommandStats>()
  readonly errorStats = new Map<string, number>()
  totalCommands = 0
  totalErrorReplies = 0

  constructor(
    private readonly engine: Engine,
    readonly table: CommandTable,
  ) {}

  /**
   * Runs one command from `client` and returns its reply. The connection waits for it before its next command.
   *
   * The reply comes back as a plain value when nothing on the way had to wait: the seam returned nothing at each of
   * its points, the lock was free and the handler was synchronous, which is every production command that does not
   * block or contend. Otherwise it is a promise. Both cases run the same steps in the same order; the synchronous one
   * merely skips the microtask hops that an `await` of a non-promise would cost (three per command before).
   * Callers must accept both (`result instanceof Promise ? await result : result`, or just `await`).
   */
  execute(client: Client, argv: Buffer[]): Reply | Promise<Reply> {
    try {
      const seam = this.engine.seam
      const arrived = seam.point('arrive', client, seam.ignoresDetail ? undefined : argv[0]?.toString('latin1'))
      if (arrived) return arrived.then(() => this.dispatchAndDeliver(client, argv))
      return this.dispatchAndDeliver(client, argv)
    } catch (err) {
      // As an async function would: a failure surfaces as a rejection, never as a throw from execute.
      return Promise.reject(err)
    }
  }

  private dispatchAndDeliver(client: Client, argv: Buffer[]): Reply | Promise<Reply> {
    const reply = this.dispatch(client, argv)
    if (reply instanceof Promise) return reply.then((settled) => this.deliver(client, settled))
    return this.deliver(client, reply)
  }

  /** The 'reply' seam point, then the reply. */
  private deliver(client: Client, reply: Reply): Reply | Promise<Reply> {
    const delivered = this.engine.seam.point('reply', client)
    return delivered ? delivered.then(() => reply) : reply
  }

  private dispatch(client: Client, argv: Buffer[]): Reply | Promise<Reply> {
    const engine = this.engine
    const now = engine.clock.now()
    client.lastInteraction = now
    // Keys this command accesses get this time as their LRU time (src/keyspace/access-clock.ts).
    engine.keyspace.access.now = now
    if (argv.length === 0) return null
    const resolved = this.table.resolve(argv)
    if ('error' in resolved) {
      if (client.multi) client.multi.aborted = true
      return this.reject(client, resolved.error, argv[0].toString('latin1').toLowerCase())
    }
    const spec = resolved.spec
    client.lastCommand = fullName(spec)

    if (!client.authenticated && !spec.flags.includes('no_auth')) {
      if (client.multi) client.multi.aborted = true
      return this.reject(client, Errors.noAuth(), client.lastCommand)
    }

    // A RESP2 client in subscribed mode may only run the pub/sub commands, PING, QUIT and RESET.
    const subscribed = subscribedModeError(engine.pubsub, client, spec)
    if (subscribed) {
      if (client.multi) client.multi.aborted = true
      return this.reject(client, subscribed, client.lastCommand)
    }

    // CLIENT PAUSE: a covered command waits for the pause to end, then is processed again from the start, as Redis
    // reprocesses a postponed client. A BUSY reply comes first, as in Redis. Only the one field read while no pause.
    if (engine.clientPause.active && this.postponedByPause(client, spec)) {
      return engine.clientPause
        .postpone(client, engine.seam)
        .then(() => (client.closed ? null : this.dispatch(client, argv)))
    }

    // stop-writes-on-bgsave-error: after a failed background save, writes (and PING) get MISCONF until one succeeds.
    const misconf = engine.snapshots.refusesWrite(spec)
    if (misconf) {
      if (client.multi) client.multi.aborted = true
      return this.reject(client, misconf, client.lastCommand)
    }

    if (client.multi && !MULTI_CONTROL.has(spec.name)) {
      if (spec.flags.includes('no_multi')) {
        client.multi.aborted = true
        return this.reject(client, new ReplyError('ERR Command not allowed inside a transaction'), client.lastCommand)
      }
      const busy = engine.busyError(spec)
      if (busy) {
        client.multi.aborted = true
        return this.reject(client, busy, client.lastCommand)
      }
      const oom = engine.eviction.queuing(client, spec, argv)
      if (oom) {
        client.multi.aborted = true
        return this.reject(client, oom, client.lastCommand)
      }
      client.multi.queue.push({ argv })
      return QUEUED
    }

    const busy = engine.busyError(spec)
    if (busy) return this.reject(client, busy, client.lastCommand)
    // A script past its busy threshold holds the lock and is suspended at a slice boundary. The commands Redis allows
    // meanwhile (SCRIPT KILL, SHUTDOWN NOSAVE, ...) cannot wait for the lock, which the script keeps until it ends:
    // they run under the script's lease, as Redis runs them from inside the script's event processing.
    const busyLease = engine.busyLease
    if (busyLease?.alive) return this.runUnderLease(busyLease, client, spec, argv, 'client', null)

    const lease = this.acquire(client)
    if (lease instanceof Promise) return lease.then((held) => this.runHoldingLease(held, client, spec, argv, undefined))
    // Nothing waited since `now` was read, so it is the command's start time too (one clock read fewer per command).
    return this.runHoldingLease(lease, client, spec, argv, now)
  }

  /** Whether the pause in force holds `spec` back (never a command refused with BUSY meanwhile). */
  private postponedByPause(client: Client, spec: CommandSpec): boolean {
    const queued = function* (table: CommandTable) {
      for (const { argv } of client.multi?.queue ?? []) {
        const resolved = table.resolve(argv)
        if ('spec' in resolved) yield resolved.spec
      }
    }
    return this.engine.clientPause.covers(client, spec, () => queued(this.table)) && !this.engine.busyError(spec)
  }

  /**
   * Runs a client's command under the lease it just acquired, serves the clients its writes unblocked, and releases
   * the lease on every path (a throw, a rejection, a reply).
   */
  private runHoldingLease(
    lease: Lease,
    client: Client,
    spec: CommandSpec,
    argv: Buffer[],
    startedAt: number | undefined,
  ): Reply | Promise<Reply> {
    // The client went away while it waited: its command is dropped, as a closed socket's pending input is.
    if (client.closed) {
      lease.release()
      return null
    }
    // A CLIENT PAUSE that began while this command waited for the lock holds it back now: Redis checks the pause when
    // it processes the command, so once CLIENT PAUSE WRITE has replied no write runs until the pause ends.
    if (this.engine.clientPause.active && this.postponedByPause(client, spec)) {
      lease.release()
      return this.engine.clientPause
        .postpone(client, this.engine.seam)
        .then(() => (client.closed ? null : this.dispatch(client, argv)))
    }
    // maxmemory: evict under this lease before the command runs, or refuse it (src/engine/eviction.ts).
    if (this.engine.eviction.maxmemory > 0) {
      let refused: ReplyError | null
      try {
        refused = this.engine.eviction.beforeCommand(lease, client, spec, argv)
      } catch (err) {
        lease.release()
        throw err
      }
      if (refused) {
        lease.release()
        if (client.multi) client.multi.aborted = true
        return this.reject(client, refused, fullName(spec))
      }
    }
    let reply: Reply | Promise<Reply>
    try {
      reply = this.invokeUnderLease(lease, client, spec, argv, 'client', null, startedAt)
    } catch (err) {
      lease.release()
      throw err
    }
    if (reply instanceof Promise) {
      return reply.then(
        (settled) => this.serveBlockedThenRelease(lease, client, spec, settled),
        (err: unknown) => {
          lease.release()
          throw err
        },
      )
    }
    return this.serveBlockedThenRelease(lease, client, spec, reply)
  }

  private serveBlockedThenRelease(
    lease: Lease,
    client: Client,
    spec: CommandSpec,
    reply: Reply,
  ): Reply | Promise<Reply> {
    const blocking = this.engine.blocking
    // Clients blocked on keys this command (or its EXEC or script) gave data to are served now, under this lease,
    // so nobody can take the data first: Redis's handleClientsBlockedOnKeys after call() (src/engine/blocking.ts).
    if (blocking.hasReadyKeys) {
      let served: Promise<void>
      try {
        served = blocking.serveReadyKeys(lease)
      } catch (err) {
        this.releaseAfter(lease, spec, reply)
        throw err
      }
      return served.then(
        () => this.releaseAndAnswer(lease, client, spec, reply),
        (err: unknown) => {
          this.releaseAfter(lease, spec, reply)
          throw err
        },
      )
    }
    return this.releaseAndAnswer(lease, client, spec, reply)
  }

  private releaseAndAnswer(lease: Lease, client: Client, spec: CommandSpec, reply: Reply): Reply | Promise<Reply> {
    this.releaseAfter(lease, spec, reply)
    // A blocking command that found no data blocked its client instead of replying; with the lease released above,
    // wait for its reply (served by another client's command, timed out, or dropped on disconnect).
    return reply === BLOCKED ? this.engine.blocking.wait(client) : reply
  }

  private releaseAfter(lease: Lease, spec: CommandSpec, reply: Reply): void {
    if (this.engine.variant.scriptErrorReleasesLease || !scriptRaised(spec.name, reply)) lease.release()
    // else: mutant lock-leak-on-error (simulation only): the script raised and its lease is never released.
  }

  /**
   * Acquires the database lock for `client`, telling the seam about every wait. The lease comes back as a plain value
   * when the lock was free and the seam's 'lock-acquired' point did not pause; otherwise as a promise.
   */
  acquire(client: Client): Lease | Promise<Lease> {
    const lease = this.engine.lock.tryAcquire(client)
    if (!lease) return this.waitForLock(client)
    const acquired = this.engine.seam.point('lock-acquired', client)
    return acquired ? acquired.then(() => lease) : lease
  }

  private async waitForLock(client: Client): Promise<Lease> {
    const seam = this.engine.seam
    const waiting = seam.point('lock-wait', client)
    if (waiting) await waiting
    const lease = await this.engine.lock.acquire(client)
    const acquired = seam.point('lock-acquired', client)
    if (acquired) await acquired
    return lease
  }

  /**
   * Runs an already-resolved command under a lease the caller holds. This is the only place handlers are invoked:
   * from a client command, from EXEC for each queued command, and from a script for each `redis.call`.
   */
  async runUnderLease(
    lease: Lease,
    client: Client,
    spec: CommandSpec,
    argv: Buffer[],
    origin: CommandOrigin,
    script: ScriptFrame | null,
  ): Promise<Reply> {
    return this.invokeUnderLease(lease, client, spec, argv, origin, script)
  }

  /**
   * runUnderLease without the forced `await` (runUnderLease is exactly this, awaited): when the handler completes
   * synchronously, so does this call, and the reply comes back as a plain value. The Lua host uses it for each
   * `redis.call`, so that in production a script runs all its calls without leaving its coroutine; when the handler
   * (or a mutant's per-call lock) has to wait, this returns a promise and the host suspends the script until it
   * settles. Both paths run the same code below.
   *
   * `startedAt`: the engine clock's time at which the command starts, when the caller has just read it (for INFO
   * commandstats); read here otherwise.
   */
  invokeUnderLease(
    lease: Lease,
    client: Client,
    spec: CommandSpec,
    argv: Buffer[],
    origin: CommandOrigin,
    script: ScriptFrame | null,
    startedAt?: number,
  ): Reply | Promise<Reply> {
    const engine = this.engine
    if (origin === 'script' && !lease.alive && engine.variant !== CORRECT_EXECUTOR) {
      // Mutants per-call-lock / evalsha-unlocked (simulation only): the script gave up its lease when it started, so
      // each redis.call takes and releases the lock by itself, as the seed's pre-fix code did.
      return this.runWithOwnLease(client, spec, argv, origin, script)
    }
    engine.lock.assertHeld(lease)
    const name = fullName(spec)
    let stats = this.commandStats.get(name)
    if (!stats) {
      stats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 }
      this.commandStats.set(name, stats)
    }
    const frame = engine.pushFrame(client, spec, argv, script)
    const started = startedAt ?? engine.clock.now()
    feedMonitorsBefore(engine, client, spec, origin, script?.db ?? client.db, argv)
    let result: Reply | Promise<Reply>
    try {
      const ctx = new Context(engine, client, argv, lease, spec, origin, script)
      if (origin === 'client' && engine.variant !== CORRECT_EXECUTOR && !scriptHoldsLease(engine.variant, spec.name)) {
        // Mutants per-call-lock / evalsha-unlocked (simulation only): the script runs without holding the lock.
        lease.release()
      }
      // The handler's synchronous part writes as this lease's holder; its continuations after an await (EXEC's and a
      // script's next steps) come back through here for each inner command, so nothing writes between them.
      const keyspace = engine.keyspace
      const previousWriter = keyspace.writer
      keyspace.writer = lease
      try {
        result = frame ? engine.runInFrame(frame, () => spec.handler(ctx)) : spec.handler(ctx)
      } finally {
        keyspace.writer = previousWriter
      }
    } catch (err) {
      engine.popFrame(frame)
      return this.monitored(
        client,
        spec,
        origin,
        script,
        argv,
        this.completed(stats, started, err instanceof ReplyError ? err : engine.internalError(err, name)),
      )
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => {
          engine.popFrame(frame)
          return this.monitored(client, spec, origin, script, argv, this.completed(stats, started, reply))
        },
        (err: unknown) => {
          engine.popFrame(frame)
          const error = err instanceof ReplyError ? err : engine.internalError(err, name)
          return this.monitored(client, spec, origin, script, argv, this.completed(stats, started, error))
        },
      )
    }
    engine.popFrame(frame)
    return this.monitored(client, spec, origin, script, argv, this.completed(stats, started, result))
  }

  private async runWithOwnLease(
    client: Client,
    spec: CommandSpec,
    argv: Buffer[],
    origin: CommandOrigin,
    script: ScriptFrame | null,
  ): Promise<Reply> {
    const own = await this.acquire(client)
    try {
      return await this.runUnderLease(own, client, spec, argv, origin, script)
    } finally {
      own.release()
    }
  }

  /** MONITOR's line for a command that ran; a command that blocked is shown once served (it comes back here). */
  private monitored(
    client: Client,
    spec: CommandSpec,
    origin: CommandOrigin,
    script: ScriptFrame | null,
    argv: Buffer[],
    reply: Reply,
  ): Reply {
    if (reply !== BLOCKED) feedMonitorsAfter(this.engine, client, spec, origin, script?.db ?? client.db, argv)
    return reply
  }

  /** Bookkeeping after a handler ran: INFO commandstats and errorstats. */
  private completed(stats: CommandStats, started: number, reply: Reply): Reply {
    // A command that blocked is counted when it is served (its serve step runs through here) or times out.
    if (reply === BLOCKED) return reply
    stats.calls++
    stats.usec += Math.round((this.engine.clock.now() - started) * 1000)
    this.totalCommands++
    if (reply instanceof ReplyError) {
      stats.failedCalls++
      this.countError(reply)
    }
    return reply
  }

  /**
   * A command refused before it ran. EXEC refused this way (arity, NOAUTH, BUSY, subscribed mode) discards the
   * transaction and its WATCHes and answers EXECABORT, in or out of MULTI, as Redis's rejectCommand does.
   */
  private reject(client: Client, error: ReplyError, name: string): ReplyError {
    if (name !== 'exec') return this.rejected(error, name)
    client.multi = null
    unwatchAll(this.engine.keyspace, client)
    const cause = error.message.startsWith('ERR ') ? error.message.slice(4) : error.message
    return this.rejected(new ReplyError(`EXECABORT Transaction discarded because of: ${cause}`), name)
  }

  /** An error returned before the command ran (unknown, arity, NOAUTH, BUSY, ...): counts as rejected. */
  rejected(error: ReplyError, name: string): ReplyError {
    const stats = this.commandStats.get(name)
    if (stats) stats.rejectedCalls++
    this.countError(error)
    return error
  }

  private countError(error: ReplyError): void {
    this.totalErrorReplies++
    const code = error.code
    this.errorStats.set(code, (this.errorStats.get(code) ?? 0) + 1)
  }

  resetStats(): void {
    this.commandStats.clear()
    this.errorStats.clear()
    this.totalErrorReplies = 0
  }
}

/** Whether a script command's reply is an error the script raised while running (not NOSCRIPT, a compile error...). */
function scriptRaised(name: string, reply: Reply): boolean {
  return isScriptCommand(name) && reply instanceof ScriptRaisedError
}

class Context implements CommandContext {
  constructor(
    readonly engine: Engine,
    readonly client: Client,
    readonly argv: Buffer[],
    readonly lease: Lease,
    readonly spec: CommandSpec,
    readonly origin: CommandOrigin,
    readonly script: ScriptFrame | null,
  ) {}

  get db() {
    return this.engine.keyspace.db(this.script ? this.script.db : this.client.db)
  }

  select(index: number): void {
    if (this.script) this.script.db = index
    else this.client.db = index
  }
}
