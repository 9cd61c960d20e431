/**
 * One run of a user simulation: a fresh engine on virtual time, the user's client library on the simulated network,
 * then three phases (setup alone, the concurrent clients, the check alone), each driven to its end by the same loop:
 *
 *   1. Quiesce: let every promise job and nextTick run (one turn of the real event loop: Node drains both queues
 *      before it runs an immediate), then run the virtual timers due at this instant, and repeat until none is due.
 *      Now every piece of user code, library code and server code is parked on the network (waiting for bytes), on a
 *      virtual timer, or finished: nothing can happen until the simulator acts.
 *   2. Decide: the enabled events are the packets in flight (per connection and direction, oldest first) and, when a
 *      virtual timer is pending, advancing time to it. The strategy picks one; with one choice there is no decision.
 *   3. Fire it: deliver the packet to its receiver (the server's RESP connection parses and runs what arrived; the
 *      client library parses replies and resolves the user's awaits), or move time and run the timer (then the
 *      server's active-expiry cycle, as its cron would).
 * A phase ends when its promise has settled at a quiet point; with nothing enabled before that, the run is stuck.
 *
 * Determinism: the only sources of change are the decisions, and every decision, delivered packet and clock
 * movement goes into the trace hash. Code that resumes outside the loop (real I/O, a timer captured before the fakes
 * were installed) makes two runs of one seed differ, and `simulate` runs the failing seed again to catch that.
 */
import { createHash } from 'node:crypto'
import type { Socket } from 'node:net'
import { Engine } from '../../src/engine/engine.ts'
import type { Logger } from '../../src/engine/logger.ts'
import type { SchedulingSeam } from '../../src/engine/seam.ts'
import type { ExecutorVariant } from '../../src/engine/variant.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { ProtocolError, RespParser } from '../../src/protocol/resp-parser.ts'
import { RespConnection } from '../../src/server/resp-connection.ts'
import { driveTimersInRealTime } from '../../src/server/timer-driver.ts'
import type { Model } from '../linearizability/index.ts'
import type { StepView, Strategy } from '../strategies/strategy.ts'
import { ClientFactory, type ClientLibrary, type OpenClient } from './client-libraries.ts'
import { type Direction, type SimLink, SimNetwork, type SimSocket } from './network.ts'
import { type OperationRecord, OperationRecorder, type UserOperation } from './operations.ts'
import { Recorder } from '../recorder.ts'
import { installSeededCrypto } from './seeded-crypto.ts'
import { checkServer } from './server-checks.ts'
import { type ServerView, serverView } from './server-view.ts'
import { settleMicrotasks, VirtualTime } from './virtual-time.ts'

/** What user code gets besides its client. */
export interface SimulationContext {
  /** The seed of this run. */
  readonly seed: number
  /** How many clients run concurrently. */
  readonly clients: number
  /** This client's number, 1..clients (0 in setup and check). */
  readonly client: number
  /** A random number in [0, 1) from the run's seed (Math.random is seeded too). */
  random(): number
  /** Waits `ms` of virtual time: a client that stalls (its lock's TTL may expire meanwhile). */
  sleep(ms: number): Promise<void>
  /** Virtual milliseconds since the run started. */
  now(): number
  /**
   * Runs `fn` as one operation of the user's own API (acquire, release, enqueue, ...) and records it, with its
   * result, for the linearizability check against `model`. Resolves or rejects as `fn` does.
   */
  operation<T>(name: string, input: unknown, fn: () => Promise<T> | T): Promise<T>
}

export type UserCode<R = any> = (redis: R, ctx: SimulationContext) => unknown

export interface RunOptions<R = any> {
  clients: number
  setup?: UserCode<R>
  client: UserCode<R>
  check?: UserCode<R>
  clientLibrary: ClientLibrary
  /** Options passed to the library's constructor (ioredis) or createClient (node-redis). */
  libraryOptions?: Record<string, any>
  /** Server configuration, as `CONFIG SET` would set it (e.g. `{ hz: '10' }`). */
  serverConfig?: Record<string, string>
  /** Scheduling steps per run before it counts as not terminating. */
  maxSteps: number
  /**
   * Called at every quiet point of the clients phase (after each scheduling step) with a read-only view of the
   * server; throwing or returning false is a violation. Synchronous: nothing may happen while it looks.
   */
  invariant?: (server: ServerView, ctx: SimulationContext) => unknown
  /** A sequential specification of the operations recorded with `ctx.operation`, checked after the clients finish. */
  model?: Model<unknown, UserOperation, unknown>
  /** Faults during the clients phase (default none). */
  faults?: UserFaults
  /** The executor: a deliberately broken one from sim/mutants.ts, to prove the built-in checks see its bugs. */
  variant?: ExecutorVariant
}

/**
 * Faults the simulator injects in the clients phase, each at a low rate drawn from the run's seed:
 * - `disconnects`: at most this many client connections are cut (a reset: packets in flight are lost).
 * - `stalls`: at most this many times a client stalls for `stallMs` virtual ms (default 2000), as a process paused by
 *   a GC or a VM migration looks from outside: nothing it sends leaves and nothing reaches it until the stall ends,
 *   while the other clients and the server's clock go on (a lock's TTL runs out under it). Its own timers still fire
 *   on time, but whatever they send waits for the stall to end.
 */
export interface UserFaults {
  disconnects?: number
  stalls?: number
  stallMs?: number
}

/** The faults a run was allowed, every field given. */
export interface FaultBudget {
  disconnects: number
  stalls: number
  stallMs: number
}

const DEFAULT_STALL_MS = 2000

export function faultBudget(faults: UserFaults | undefined): FaultBudget {
  return {
    disconnects: faults?.disconnects ?? 0,
    stalls: faults?.stalls ?? 0,
    stallMs: faults?.stallMs ?? DEFAULT_STALL_MS,
  }
}

/** One scheduling step, for reports: what was delivered (or that time moved). */
export interface StepRecord {
  step: number
  /** Virtual ms since the run started. */
  t: number
  phase: Phase
  kind: 'send' | 'reply' | 'close' | 'timer' | 'disconnect' | 'stall' | 'slice'
  /** Connection id (0 for the timer). */
  conn: number
  /** How many events were enabled. */
  choices: number
  /** Commands the server received in this packet, or a reply summary. */
  commands?: string[][]
  text?: string
}

export type Phase = 'setup' | 'clients' | 'check'

export type FailureKind =
  | 'check'
  | 'invariant'
  | 'linearizability'
  | 'client-error'
  | 'setup-error'
  | 'stuck'
  | 'step-limit'
  | 'interleaved-access'
  | 'leaked-lease'

export interface RunResult {
  seed: number
  clients: number
  failure: { kind: FailureKind; message: string } | null
  traceHash: string
  /** Index chosen at every step with more than one choice (replays the run with a TapeStrategy). */
  tape: number[]
  /** Event id chosen at every step with more than one choice (for shrinking). */
  chosen: number[]
  steps: number
  /** Decisions that switched away from a connection that could have continued. */
  preemptions: number
  /** The faults the run was allowed (shrinking may take them away). */
  faults: FaultBudget
  /** Connection id -> owner ('setup', 'client 1', 'check'). */
  connections: Record<number, string>
  trace: StepRecord[]
  /** The user's operations (`ctx.operation`) with the steps they spanned. */
  operations: OperationRecord[]
}

const TIMER_ID = 0
/** Event id of "the script paused at a slice boundary goes on" (id 1 belongs to no connection: links start at 1). */
const SLICE_ID = 1
const silent: Logger = () => {}
/**
 * Chance, at each step of the clients phase while disconnects remain, that one client connection is cut. Drawn from
 * the run's seed, not chosen by the strategy: a cut connection is a rare event, and offering one per connection at
 * every step would make a uniform choice cut connections all the time.
 */
const DISCONNECT_RATE = 0.03
/** Chance, at each step of the clients phase while stalls remain, that a client stalls (drawn as disconnects are). */
const STALL_RATE = 0.03

/** Event id of a packet: connection id * 2 (to the server) or * 2 + 1 (to the client); the timer is 0. */
function eventId(conn: number, direction: Direction): number {
  return conn * 2 + (direction === 'to-server' ? 0 : 1)
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

export async function runOnce<R>(options: RunOptions<R>, seed: number, strategy: Strategy): Promise<RunResult> {
  const time = new VirtualTime(seed)
  const restoreCrypto = installSeededCrypto(seed)
  const hash = createHash('sha256')
  const trace: StepRecord[] = []
  const tape: number[] = []
  const chosen: number[] = []
  const connections: Record<number, string> = {}
  const observers = new Map<number, RespParser>()
  const servers: RespConnection[] = []
  const opened: OpenClient[] = []
  let factory: ClientFactory | null = null
  let stopTimers: (() => void) | null = null
  let steps = 0
  let preemptions = 0
  let previous = -1
  let phase: Phase = 'setup'
  let failure: RunResult['failure'] = null
  const budget = faultBudget(options.faults)
  let disconnects = budget.disconnects
  let stalls = budget.stalls
  const faultRandom = seededRandom(`${seed}:faults`)
  // Its own generator: allowing stalls does not move when disconnects happen.
  const stallRandom = seededRandom(`${seed}:stalls`)
  /** Owner ('client 2') -> virtual time (ms since the epoch) its stall ends. */
  const stalledUntil = new Map<string, number>()
  const stalled = (link: SimLink): boolean => {
    const until = stalledUntil.get(connections[link.id])
    return until !== undefined && time.now < until
  }
  const operations = new OperationRecorder(() => steps)
  // Everything the server does, for the built-in checks (server-checks.ts).
  const recorder = new Recorder()
  /** Scripts paused at a slice boundary, oldest first: resolving one lets it go on. */
  const slices: Array<() => void> = []
  /** Engine client id -> the link its RespConnection serves. */
  const linkOfClient = new Map<number, number>()

  try {
    const seam: SchedulingSeam = {
      // A script reaching a slice boundary of its instruction count pauses there until the scheduler lets it go on
      // (a decision like a delivery), so other packets can arrive while a long script runs, as on the TCP server.
      point: (site) => (site === 'busy-slice' ? new Promise<void>((resolve) => slices.push(resolve)) : undefined),
      ignoresDetail: true,
      recorder,
    }
    const engine = new Engine({
      clock: time.engineClock,
      random: seededRandom(`${seed}:engine`),
      logger: silent,
      config: options.serverConfig,
      seam,
      variant: options.variant,
    })
    recorder.engine = engine
    // A busy script lets others run between slices on the (virtual) event loop, as on the TCP server.
    engine.yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))
    // Blocking-command timeouts on the virtual clock: the TCP server's driver, given fake timers.
    stopTimers = driveTimersInRealTime(engine)
    const network = new SimNetwork((link) => {
      const server = new RespConnection(engine, link.server as unknown as Socket, () => {})
      servers.push(server)
      linkOfClient.set(server.client.id, link.id)
    })
    factory = new ClientFactory(
      options.clientLibrary,
      network,
      (socket: SimSocket, owner: string) => {
        const link = network.links.find((l) => l.client === socket)
        if (link) connections[link.id] = owner
      },
      options.libraryOptions,
    )
    await factory.load()

    const context = (client: number): SimulationContext => {
      const prng = seededRandom(`${seed}:client:${client}`)
      return {
        seed,
        clients: options.clients,
        client,
        random: () => prng.next(),
        sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
        now: () => time.elapsed,
        operation: (name, input, fn) => operations.record(client, name, input, fn),
      }
    }

    const step = (view: StepView, enabled: number[]): void => {
      const count = enabled.length
      let index = 0
      if (count > 1) {
        index = strategy.choose(view)
        if (!(index >= 0 && index < count)) throw new Error(`strategy ${strategy.name} chose ${index} of ${count}`)
        tape.push(index)
        chosen.push(enabled[index])
        const id = enabled[index]
        // Leaving a connection that could have gone on is a preemption; the timer preempts nobody by itself.
        if (previous > 0 && id >> 1 !== previous >> 1 && enabled.some((e) => e >> 1 === previous >> 1)) preemptions++
      }
      const id = enabled[index]
      previous = id
      const record: StepRecord = { step: steps, t: time.elapsed, phase, kind: 'timer', conn: id >> 1, choices: count }
      steps++
      if (id === TIMER_ID) {
        const before = time.now
        time.fireNext()
        hash.update(`T${time.now - before};`)
        record.t = time.elapsed
        // Active expiry, as the server's cron runs it when time passes; a no-op while a script or EXEC holds the lock.
        if (time.now > before) {
          recorder.beginTimer()
          engine.runCron()
          recorder.endTimer()
        }
      } else if (id === SLICE_ID) {
        record.kind = 'slice'
        hash.update('L;')
        slices.shift()!()
      } else {
        const link = network.links[(id >> 1) - 1]
        const direction: Direction = (id & 1) === 0 ? 'to-server' : 'to-client'
        const packet = link.deliver(direction)
        hash.update(`D${id}:`)
        if (packet.bytes === null) {
          record.kind = 'close'
          hash.update('FIN;')
        } else {
          hash.update(String(packet.bytes.length))
          hash.update(packet.bytes)
          if (direction === 'to-server') {
            record.kind = 'send'
            record.commands = observe(id >> 1, packet.bytes)
          } else {
            record.kind = 'reply'
            record.text = summarize(packet.bytes)
          }
        }
      }
      trace.push(record)
    }

    /** The server's view of a connection's input: the commands each packet completes. */
    const observe = (conn: number, bytes: Buffer): string[][] => {
      let parser = observers.get(conn)
      if (!parser) observers.set(conn, (parser = new RespParser()))
      parser.append(bytes)
      const commands: string[][] = []
      for (;;) {
        const argv = parser.next()
        if (argv === null || argv instanceof ProtocolError) break
        commands.push(argv.map((a) => a.toString('utf8')))
      }
      return commands
    }

    const invariant = options.invariant
    const readView = invariant ? serverView(engine) : null
    const checkInvariant = (check: NonNullable<typeof invariant>): RunResult['failure'] => {
      let verdict: unknown
      try {
        verdict = check(readView!, context(0))
      } catch (err) {
        return { kind: 'invariant', message: `invariant after step ${steps}: ${describe(err)}` }
      }
      if (verdict instanceof Promise) {
        return { kind: 'invariant', message: 'the invariant returned a promise: it must be synchronous (server.call)' }
      }
      if (verdict === false) return { kind: 'invariant', message: `invariant after step ${steps}: returned false` }
      return null
    }

    /** Drives the simulation until `settled()` holds at a quiet point; returns a failure or null. */
    const drive = async (settled: () => boolean): Promise<RunResult['failure']> => {
      const enabled: number[] = []
      const view = { step: 0, enabled: enabled as readonly number[], count: 0, previous: -1 }
      for (;;) {
        let atOneInstant = 0
        for (;;) {
          await settleMicrotasks()
          if (!time.dueNow) break
          if (++atOneInstant > 100_000) {
            return { kind: 'stuck', message: 'timers keep scheduling timers at one instant (a zero-delay loop)' }
          }
          time.fireNext()
        }
        if (settled()) return null
        if (phase === 'clients' && invariant) {
          const broken = checkInvariant(invariant)
          if (broken) return broken
        }
        if (phase === 'clients' && disconnects > 0 && faultRandom.next() < DISCONNECT_RATE) {
          const open = network.links.filter((l) => connections[l.id]?.startsWith('client') && !l.client.destroyed)
          if (open.length > 0) {
            const link = open[Math.floor(faultRandom.next() * open.length)]
            disconnects--
            trace.push({ step: steps, t: time.elapsed, phase, kind: 'disconnect', conn: link.id, choices: 1 })
            hash.update(`X${link.id};`)
            steps++
            link.cut()
            continue
          }
        }
        if (phase === 'clients' && stalls > 0 && stallRandom.next() < STALL_RATE) {
          const owners = [
            ...new Set(
              network.links
                .filter((l) => connections[l.id]?.startsWith('client') && !l.client.destroyed && !stalled(l))
                .map((l) => connections[l.id]),
            ),
          ]
          if (owners.length > 0) {
            const owner = owners[Math.floor(stallRandom.next() * owners.length)]
            const link = network.links.find((l) => connections[l.id] === owner && !l.client.destroyed)!
            stalls--
            stalledUntil.set(owner, time.now + budget.stallMs)
            // The end of the stall is a moment the clock must be able to reach even when nothing else is pending.
            setTimeout(() => {}, budget.stallMs)
            trace.push({
              step: steps,
              t: time.elapsed,
              phase,
              kind: 'stall',
              conn: link.id,
              choices: 1,
              text: `${owner} stalls for ${budget.stallMs} ms`,
            })
            hash.update(`S${link.id}:${budget.stallMs};`)
            steps++
            continue
          }
        }
        enabled.length = 0
        for (const link of network.links) {
          if (stalled(link)) continue
          if (link.pending('to-server')) enabled.push(eventId(link.id, 'to-server'))
          if (link.pending('to-client')) enabled.push(eventId(link.id, 'to-client'))
        }
        if (time.pending > 0) enabled.push(TIMER_ID)
        if (slices.length > 0) enabled.push(SLICE_ID)
        if (enabled.length === 0) {
          return {
            kind: 'stuck',
            message:
              `${phase}: nothing in flight and no timer pending, but the ${phase === 'clients' ? 'clients have' : `${phase} has`} ` +
              'not finished: it waits for something outside the simulation (real I/O, a real timer, a promise nobody resolves)',
          }
        }
        if (steps >= options.maxSteps) {
          return { kind: 'step-limit', message: `${phase}: not finished after ${options.maxSteps} scheduling steps` }
        }
        view.step = steps
        view.count = enabled.length
        view.previous = previous
        step(view, enabled)
      }
    }

    /** Runs `body` for one phase under the driver; resolves to a failure message or null. */
    const runPhase = async (
      which: Phase,
      bodies: Array<() => Promise<unknown>>,
      judge: (outcomes: PromiseSettledResult<unknown>[]) => RunResult['failure'],
    ): Promise<RunResult['failure']> => {
      phase = which
      hash.update(`P${which};`)
      let outcomes: PromiseSettledResult<unknown>[] | null = null
      void Promise.allSettled(bodies.map((body) => body())).then((o) => {
        outcomes = o
      })
      // Setup ends with the network quiet too (a library's connection handshake, a reply nobody awaited), so that
      // the clients phase starts from the state setup left and its trace holds only the clients' traffic.
      const quiet = () => network.links.every((l) => !l.pending('to-server') && !l.pending('to-client'))
      const stuck = await drive(() => outcomes !== null && (which !== 'setup' || quiet()))
      return stuck ?? judge(outcomes!)
    }

    const open = async (owner: string): Promise<OpenClient> => {
      const client = await factory!.open(owner)
      opened.push(client)
      return client
    }

    if (options.setup) {
      const setup = options.setup
      failure = await runPhase('setup', [async () => setup((await open('setup')).redis, context(0))], ([outcome]) =>
        outcome.status === 'rejected'
          ? { kind: 'setup-error', message: `setup threw: ${describe(outcome.reason)}` }
          : null,
      )
    }
    if (!failure) {
      const bodies = Array.from({ length: options.clients }, (_, i) => async () => {
        const client = await open(`client ${i + 1}`)
        return options.client(client.redis, context(i + 1))
      })
      failure = await runPhase('clients', bodies, (outcomes) => {
        const errors = outcomes
          .map((o, i) => (o.status === 'rejected' ? `client ${i + 1} threw: ${describe(o.reason)}` : null))
          .filter((m) => m !== null)
        return errors.length > 0 ? { kind: 'client-error', message: errors.join('; ') } : null
      })
    }
    if (!failure) {
      failure = checkServer(engine, recorder, (id) => {
        const link = linkOfClient.get(id)
        return link === undefined ? undefined : connections[link]
      })
    }
    if (!failure && options.model) {
      const explanation = operations.check(options.model)
      if (explanation) failure = { kind: 'linearizability', message: explanation }
    }
    if (!failure && options.check) {
      const check = options.check
      failure = await runPhase('check', [async () => check((await open('check')).redis, context(0))], ([outcome]) => {
        if (outcome.status === 'rejected') return { kind: 'check', message: describe(outcome.reason) }
        if (outcome.value === false) return { kind: 'check', message: 'check returned false' }
        return null
      })
    }
    hash.update(`O${failure ? `${failure.kind}:${failure.message}` : 'pass'};`)
  } finally {
    for (const client of opened) {
      try {
        client.close()
      } catch {
        // A client that cannot close cleanly is dropped with the run.
      }
    }
    for (const server of servers) server.destroy()
    stopTimers?.()
    // Immediates due now include the RESP connections' end-of-turn flush, whose bookkeeping is shared by every
    // connection in the process: run them on the virtual clock before the real timers come back.
    for (let i = 0; i < 1000 && time.dueNow; i++) time.fireNext()
    factory?.unload()
    time.uninstall()
    restoreCrypto()
  }
  return {
    seed,
    clients: options.clients,
    faults: budget,
    failure,
    traceHash: hash.digest('hex'),
    tape,
    chosen,
    steps,
    preemptions,
    connections,
    trace,
    operations: operations.records,
  }
}

/** A reply packet as readable text: RESP line breaks become spaces, long packets are cut. */
function summarize(bytes: Buffer): string {
  const text = bytes.toString('utf8', 0, Math.min(bytes.length, 200)).replace(/\r\n/g, ' ').trim()
  return bytes.length > 200 ? `${text} …` : text
}
