/**
 * The engine: one Redis-compatible server's state and machinery, independent of any transport. The TCP server, the
 * in-process client API and the simulator all drive the same Engine through `executor.execute`.
 */
import type { ScriptFlags } from '../scripting/shebang.ts'
import { defaultCommandTable } from '../commands/table.ts'
import { type CommandSpec, keyPositions, type ScriptFrame } from '../commands/types.ts'
import { Keyspace } from '../keyspace/keyspace.ts'
import { unwatchAll } from '../keyspace/watch.ts'
import { MemorySnapshotStore, type SnapshotStore } from '../persistence/snapshot-store.ts'
import { Snapshots } from '../persistence/snapshots.ts'
import { InternalErrorReply, type ReplyError } from '../protocol/reply.ts'
import {
  ACCEPTABLE_STALE_PERCENT,
  activeExpireCycle,
  type ExpireCycleKind,
  FAST_CYCLE_MICROS,
  slowCycleMicros,
} from './active-expiry.ts'
import { BlockingRegistry } from './blocking.ts'
import { Client, type ClientKind } from './client.ts'
import { ClientPause } from './client-pause.ts'
import { type Clock, systemClock } from './clock.ts'
import { ConfigRegistry } from './config.ts'
import { Eviction } from './eviction.ts'
import { Executor } from './executor.ts'
import { type Lease, LeaseError, Lock } from './lock.ts'
import { type Logger, type LogLevel, stderrLogger } from './logger.ts'
import { PubSub } from './pubsub.ts'
import { type RandomSource, systemRandom } from './random.ts'
import { type Actor, productionSeam, type SchedulingSeam } from './seam.ts'
import { TimerQueue } from './timers.ts'
import { UsedMemory } from './used-memory.ts'
import { CORRECT_EXECUTOR, type ExecutorVariant } from './variant.ts'

/** The actor of the engine's periodic work (active expiry): it takes the lock like a client. */
export const CRON_ACTOR: Actor = Object.freeze({ id: 0, name: 'cron' })
/** The actor of `Engine.direct`: code outside any command that reads or writes the keyspace. */
const DIRECT_ACTOR: Actor = Object.freeze({ id: -1, name: 'direct' })

export interface EngineOptions {
  clock?: Clock
  random?: RandomSource
  seam?: SchedulingSeam
  logger?: Logger
  /** Initial CONFIG values, e.g. `{ requirepass: 'secret' }`. */
  config?: Record<string, string>
  /**
   * Simulator only: run the executor with a deliberately broken mechanism (a mutant from sim/mutants.ts). Never set by
   * the server or its command line; the default is the correct executor.
   */
  variant?: ExecutorVariant
  /** Where SAVE and BGSAVE keep the RDB snapshot; in memory unless given (the server's command line uses a file). */
  snapshotStore?: SnapshotStore
  /** An RDB file (or DUMP-compatible snapshot bytes) to start from: loaded before the engine serves anything. */
  rdb?: Buffer
}

/** What the executor is running right now under the lease; the recorder attributes accesses to it. */
export interface ExecutionFrame {
  readonly client: Client
  readonly command: string
  readonly argv: Buffer[]
  readonly script: ScriptFrame | null
  /** argv positions of the command's keys. */
  readonly keys: number[]
}

export class Engine {
  readonly clock: Clock
  readonly random: RandomSource
  readonly seam: SchedulingSeam
  /** Which atomicity mechanisms are in place: always `CORRECT_EXECUTOR` outside the simulator's mutant runs. */
  readonly variant: ExecutorVariant
  readonly log: Logger
  readonly keyspace: Keyspace
  readonly lock: Lock
  readonly executor: Executor
  readonly config: ConfigRegistry
  /** used_memory as Redis would count it (src/engine/used-memory.ts). */
  readonly memory: UsedMemory
  /** maxmemory: eviction and OOM refusals (src/engine/eviction.ts). */
  readonly eviction: Eviction
  readonly clients = new Map<number, Client>()
  /** Pub/sub subscriptions and message delivery (src/engine/pubsub.ts). */
  readonly pubsub = new PubSub()
  /** Timers on the injected clock (blocking-command timeouts); whoever drives time calls `runDueTimers`. */
  readonly timers = new TimerQueue()
  /** Clients blocked by BLPOP & co. (src/engine/blocking.ts). */
  readonly blocking: BlockingRegistry = new BlockingRegistry(this)
  /** CLIENT PAUSE: the commands it holds back wait in the executor (src/engine/client-pause.ts). */
  readonly clientPause = new ClientPause(this.timers)
  readonly startedAt: number
  /**
   * Open frames per client, innermost last (EXEC or a script, then its inner command). Kept per client rather than in
   * one engine-wide stack because a mutant executor (simulation only) lets two clients' EXECs or scripts be open at
   * once; with the correct executor only the lease holder ever has open frames.
   */
  private readonly frames = new Map<Client, ExecutionFrame[]>()
  /** The frame whose handler is running synchronously right now: every keyspace access belongs to it. */
  private activeFrame: ExecutionFrame | undefined = undefined
  private nextClientId = 1
  totalConnections = 0
  /** Connections refused before they became clients (maxclients, protected mode): INFO's rejected_connections. */
  rejectedConnections = 0
  lastSave: number
  /** Set by the scripting host while a script runs past the busy threshold; consulted by `busyError`. */
  busyCheck: ((spec: CommandSpec) => ReplyError | null) | null = null
  /**
   * Set by the scripting host while a script runs past the busy threshold: the script's lease, lent to the commands
   * allowed meanwhile (SCRIPT KILL, SHUTDOWN NOSAVE, ...), which cannot wait for a lock the script keeps until it ends.
   */
  busyLease: Lease | null = null
  /**
   * How a busy script lets the event loop run between two slices of its instruction-count hook, so that other
   * connections are read and answered (BUSY, SCRIPT KILL). Injected by the server layer (a macrotask yield); null in
   * tests and in the simulator, where the seam's 'busy-slice' point is where a script pauses.
   */
  yieldToEventLoop: (() => Promise<void>) | null = null
  /**
   * Set by the scripting host while a script runs: expiry is judged at the script's start time, so a key cannot expire
   * between two of its calls (Redis 7.0's scriptTimeSnapshot). Null: the engine clock's current time.
   */
  expiryTimeFrozenAt: number | null = null
  /**
   * Installed by the scripting host when it is created: the shebang flags of a cached script by SHA, without loading
   * the scripting state (eviction reads an EVALSHA's flags; the engine must not import the host).
   */
  cachedScriptFlags: ((sha: string) => ScriptFlags | undefined) | null = null
  /**
   * Installed with the engine's function libraries: the flags of the function FCALL names (any case), which make the
   * FCALL a write and denyoom command or not, as Redis's fcallGetCommandFlags does.
   */
  registeredFunctionFlags: ((name: string) => ScriptFlags | undefined) | null = null
  /** The last expiry pass ran out of time or found many expired keys: a fast pass is due (see expireCycle). */
  expireBacklog = false
  /** Installed by the server layer: how SHUTDOWN stops serving (close the listener and the connections). */
  onShutdown: (() => void) | null = null
  /** RDB snapshots: SAVE, BGSAVE, save points, loading (src/persistence/snapshots.ts). */
  readonly snapshots: Snapshots

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? systemRandom()
    this.seam = options.seam ?? productionSeam
    this.variant = options.variant ?? CORRECT_EXECUTOR
    this.log = options.logger ?? stderrLogger(this.clock, () => (this.config?.get('loglevel') ?? 'notice') as LogLevel)
    // Expiry asks this clock, so that a running script can freeze it (see expiryTimeFrozenAt).
    const clock = this.clock
    const expiryClock: Clock = {
      now: () => this.expiryTimeFrozenAt ?? clock.now(),
      nowMicros: () => clock.nowMicros(),
    }
    this.keyspace = new Keyspace(expiryClock, this.seam.recorder)
    // Mutant cron-ignores-lease: a keyspace that accepts writes from anyone, so the bug reaches the checkers.
    if (!this.variant.cronTakesLease) this.keyspace.checksWriter = false
    this.lock = new Lock(this.seam, this.variant)
    if (!this.variant.scriptWritesTouchWatch) {
      // Mutant watch-blind-to-scripts (simulation only): a write made by a script's redis.call leaves WATCH intact.
      this.keyspace.watchTouchAllowed = () => !this.currentFrame?.script
    }
    // Mutant expiry-blind-watch (simulation only): expiry deletions leave WATCH intact.
    if (!this.variant.expiryTouchesWatch) this.keyspace.expiryTouchesWatch = false
    this.config = new ConfigRegistry()
    for (const [name, value] of Object.entries(options.config ?? {})) {
      // Values are given as text; the registry keeps the bytes a client would send (UTF-8), as Redis reads argv.
      const error = this.config.set(name, Buffer.from(value, 'utf8').toString('latin1'))
      if (error) throw new Error(`invalid config ${name}: ${error.message}`)
    }
    const events = this.keyspace.events
    this.config.watch('notify-keyspace-events', (value) => events.configure(value))
    events.connect((channel, message) => this.pubsub.publish(channel, message))
    this.executor = new Executor(this, defaultCommandTable())
    this.memory = new UsedMemory(this)
    this.eviction = new Eviction(this)
    this.startedAt = this.clock.now()
    this.lastSave = Math.floor(this.startedAt / 1000)
    this.snapshots = new Snapshots(this, options.snapshotStore ?? new MemorySnapshotStore())
    if (options.rdb) this.direct(() => this.snapshots.load(options.rdb as Buffer))
  }

  /** Registers a new client. It starts authenticated unless `requirepass` is set. */
  createClient(kind: ClientKind, addr?: string, laddr?: string): Client {
    const client = new Client(
      this.nextClientId++,
      kind,
      this.clock.now(),
      this.config.get('requirepass') === '',
      addr,
      laddr,
    )
    this.clients.set(client.id, client)
    this.totalConnections++
    return client
  }

  /** Forgets a disconnected client: drops its MULTI state and WATCHes. */
  removeClient(client: Client): void {
    client.closed = true
    client.multi = null
    unwatchAll(this.keyspace, client)
    this.pubsub.removeClient(client)
    this.blocking.removeClient(client)
    this.clientPause.removeClient(client)
    this.memory.forget(client)
    this.clients.delete(client.id)
  }

  /**
   * Runs the timers due by the engine clock's current time (blocking-command timeouts). The TCP server calls it from
   * a real timer armed for `timers.nextDue()`; the simulator when its virtual clock reaches that time.
   */
  runDueTimers(): number {
    return this.timers.runDue(this.clock.now())
  }

  /**
   * Periodic work (Redis's serverCron): active expiry of a sample of keys with a TTL in every database. This is the
   * one entry point for it: the TCP server calls it on a real interval, the simulator as a virtual-clock timer event,
   * the witness when it replays one (`kind`: the slow pass of each tick, or a fast pass between event-loop turns while
   * expired keys pile up, see src/engine/active-expiry.ts). It runs as its own actor under a lease, taken only if the
   * lock is free right now:
   * while a command, an EXEC or a script holds the lock the pass is skipped, as Redis runs no expiry cycle while a
   * script is busy (its event processing then only answers other clients with BUSY). Returns how many keys expired,
   * or null when the pass was skipped.
   */
  runCron(actor: Actor = CRON_ACTOR, kind: ExpireCycleKind = 'slow'): number | null {
    // Client buffers change between their commands too: refresh every client's figure, as Redis's clientsCron does.
    this.memory.refreshClients()
    if (!this.variant.cronTakesLease) return this.cronIgnoringLease()
    // Redis runs no expiry cycle while clients are paused (CLIENT PAUSE), so that no key changes meanwhile.
    if (this.clientPause.active) return null
    const lease = this.lock.tryAcquire(actor)
    if (!lease) return null
    try {
      return this.keyspace.writeUnder(lease, () => {
        const expired = this.expireCycle(kind)
        // serverCron's save points and scheduled BGSAVE, under the same lease: the snapshot is one point in time.
        if (kind === 'slow') this.snapshots.cron()
        return expired
      })
    } finally {
      lease.release()
    }
  }

  /**
   * Direct access to the keyspace from outside any command (tests and embedders, like miniredis's): `use` runs under a
   * lease of its own, so its writes obey the rule every command obeys. Throws while someone else holds the lock.
   */
  direct<T>(use: (keyspace: Keyspace) => T): T {
    const lease = this.lock.tryAcquire(DIRECT_ACTOR)
    if (!lease) throw new LeaseError('direct keyspace access while the lock is held')
    try {
      return this.keyspace.writeUnder(lease, () => use(this.keyspace))
    } finally {
      lease.release()
    }
  }

  private expireCycle(kind: ExpireCycleKind): number {
    if (this.config.get('active-expire-enabled') !== 'yes') return 0
    const budget = kind === 'fast' ? FAST_CYCLE_MICROS : slowCycleMicros(this.config.getNumber('hz'))
    const result = activeExpireCycle(this.keyspace.dbs, this.clock, budget)
    // Redis follows a pass that ran out of time, or found many expired keys, with fast passes between event-loop
    // turns (beforeSleep); the server layer asks here whether another one is due.
    this.expireBacklog = result.timedOut || result.stalePercent > ACCEPTABLE_STALE_PERCENT
    return result.expired
  }

  /**
   * Mutant cron-ignores-lease (simulation only): the pass runs whenever its timer fires, even in the middle of a
   * script or EXEC, as a timer callback that forgot the lock would. Its engine's keyspace does not check writers (see
   * the constructor), so the simulator's checkers, not that assertion, must catch it.
   */
  private cronIgnoringLease(): number | null {
    return this.expireCycle('slow')
  }

  /** The BUSY error when a script is running past its threshold and `spec` is not allowed meanwhile. */
  busyError(spec: CommandSpec): ReplyError | null {
    return this.busyCheck ? this.busyCheck(spec) : null
  }

  pushFrame(client: Client, spec: CommandSpec, argv: Buffer[], script: ScriptFrame | null): ExecutionFrame | null {
    // Frames exist for attribution of recorded accesses (and for the watch-blind mutant); production has neither and
    // skips the bookkeeping.
    if (!this.seam.recorder && this.variant === CORRECT_EXECUTOR) return null
    const name = spec.container ? `${spec.container}|${spec.name}` : spec.name
    const frame: ExecutionFrame = { client, command: name, argv, script, keys: keyPositions(spec, argv) }
    let stack = this.frames.get(client)
    if (!stack) {
      this.frames.set(client, (stack = []))
      this.seam.recorder?.commandStarted?.(client, this.clock.now())
    }
    stack.push(frame)
    return frame
  }

  popFrame(frame: ExecutionFrame | null): void {
    if (!frame) return
    const stack = this.frames.get(frame.client)
    const top = stack?.pop()
    if (top !== frame) throw new Error('execution frames popped out of order')
    if (stack!.length === 0) this.frames.delete(frame.client)
  }

  /**
   * Runs the synchronous part of a handler with `frame` marked active, so that keyspace accesses are attributed to it
   * even when (in a mutant run) several clients have frames open.
   */
  runInFrame<T>(frame: ExecutionFrame, run: () => T): T {
    const previous = this.activeFrame
    this.activeFrame = frame
    try {
      return run()
    } finally {
      this.activeFrame = previous
    }
  }

  /**
   * The innermost running frame: the one whose handler runs right now, otherwise the innermost open frame of the lease
   * holder (an EXEC or script between two of its inner commands).
   */
  get currentFrame(): ExecutionFrame | undefined {
    if (this.activeFrame) return this.activeFrame
    const holder = this.lock.holder
    const stack = holder ? this.frames.get(holder as Client) : undefined
    return stack ? stack[stack.length - 1] : undefined
  }
  /** The outermost frame of the current one's client: the client command that holds (or took) the lease. */
  get outerFrame(): ExecutionFrame | undefined {
    const current = this.currentFrame
    return current ? this.frames.get(current.client)?.[0] : undefined
  }

  logAt(level: LogLevel, message: string): void {
    this.log(level, message)
  }

  /** A bug inside redsim surfaced while running a command: log it and answer with an error, never crash. */
  internalError(err: unknown, command: string): InternalErrorReply {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err)
    this.log('warning', `internal error in '${command}': ${detail}`)
    const message = err instanceof Error ? err.message : String(err)
    return new InternalErrorReply(`ERR internal error in '${command}': ${message.split('\n')[0]}`)
  }
}
