/**
 * The scheduler: runs simulated actors one at a time and decides, at every seam point, who continues.
 *
 * Knowing when the system is quiet, without timers or "wait N microtasks" guesses: every actor is in exactly one
 * state, and every transition is reported synchronously by the code the actor runs.
 *   running  -> parked    the actor reached a seam point (SimSeam.point)
 *   running  -> blocked   the actor started waiting for the database lock (Lock -> seam.lockWaiting)
 *   running  -> waiting   a blocking command (BLPOP & co.) found no data and released its lease (seam.blockedOnKeys)
 *   running  -> finished  the simulated client's program ended
 *   parked   -> running   the scheduler chose it (its park promise resolves, or it continues synchronously)
 *   blocked  -> running   a release handed it the lock (Lock -> seam.lockHandedTo); it runs to the 'lock-handed'
 *                         seam point, where it parks before it takes the lease, so others can run in that window
 *   waiting  -> running   it was served under a pusher's lease, timed out, was unblocked or disconnected
 *                         (seam.unblocked); it continues to its 'reply' seam point
 *   running  -> idle      a connection fed by bytes (the RESP wire) ran every command it received; the rest of its
 *                         pipeline is still on the wire (a delivery, a choice like a fault, wakes it) or unsent
 *   idle     -> running   a delivery of the next chunk of its bytes (the chunk is handed over in a microtask, so
 *                         that the connection parses and runs it outside the decision)
 * A pipelining client's own code (sending the next batch, reading replies) is a second thread of the same connection:
 * it holds a token in `running` from the moment the wire hands it the reply it waits for until it waits again
 * (`clientWakes` / `clientWaits`), so no decision is taken while it still has something to send.
 * `running` counts actors in the running state. When it drops to zero, every actor is parked, blocked, waiting or
 * finished, nothing else can happen, and the scheduler takes the next decision. Usually one actor runs at a time; a
 * lock hand-off or a serve briefly makes two (the releaser or pusher and the woken actor), and the count covers that.
 *
 * Besides the parked clients, a decision may choose a pseudo-actor: the virtual clock's timer event (id 0, last in
 * the enabled set: the clock advances, due blocking timeouts and active expiry run, see run.ts), or a fault on a
 * client that cannot run (a disconnect while it waits for the lock or for a key, CLIENT UNBLOCK while it waits for a
 * key; negative ids). When no client is parked, time may also jump straight to the engine's next due timer (a
 * blocking timeout): that is the timer pseudo-actor too. Events run inline; if one wakes a client, the scheduler lets
 * it run to its next park before deciding again.
 *
 * The run ends when every client finished, or as a violation: a deadlock when no client can continue, no timeout can
 * fire and no fault is left, but some are blocked or waiting; a livelock when the step budget is spent.
 */
import type { SeamSite } from '../src/engine/seam.ts'
import { DELIVERY_ID_BASE, type Strategy, TIMER_ACTOR, UNBLOCK_ID_BASE } from './strategies/strategy.ts'
import type { TraceHash } from './trace-hash.ts'

export enum ActorState {
  Running = 0,
  Parked = 1,
  Blocked = 2,
  Finished = 3,
  /** Blocked on keys (BLPOP & co.), without the lock: runnable again once served, timed out or unblocked. */
  Waiting = 4,
  /** A byte-fed connection with no complete command to run: runnable again when a chunk is delivered. */
  Idle = 5,
}

/** Enabled-set ids of faults: a disconnect of client `id` is `-id`, CLIENT UNBLOCK of it `-(id + UNBLOCK_FAULT)`. */
const UNBLOCK_FAULT = UNBLOCK_ID_BASE
/** Enabled-set id of a jump of the clock to the engine's next due timer (a blocking timeout). */
const JUMP = -0x8000
/** Enabled-set ids of deliveries: the next chunk on the wire of client `id` is `-(id + DELIVERY)`. */
const DELIVERY = DELIVERY_ID_BASE

/** Numeric codes of seam sites in traces and the trace hash. */
export const SITE_CODES: Record<SeamSite | 'fault' | 'deliver', number> = {
  arrive: 1,
  'lock-wait': 2,
  'lock-acquired': 3,
  'script-call': 4,
  'exec-step': 5,
  reply: 6,
  'busy-slice': 7,
  timer: 8,
  fault: 9,
  'lock-handed': 10,
  serve: 11,
  deliver: 12,
}
export const SITE_NAMES: string[] = []
for (const [name, code] of Object.entries(SITE_CODES)) SITE_NAMES[code] = name

export class SimActor {
  state = ActorState.Running
  /** Where the actor is parked (valid when parked). */
  site: SeamSite = 'arrive'
  detail: string | undefined = undefined
  /** How many times the actor has parked; faults are planned against this count. */
  parks = 0
  /**
   * Park count at which a planned disconnect happens (0 = none). While the actor is blocked on the lock or waiting for
   * a key, the disconnect is also a choice of every decision, so it can happen earlier, inside the wait.
   */
  disconnectAt = 0
  /** A planned CLIENT UNBLOCK (TIMEOUT or ERROR), a choice of every decision while the actor waits for a key. */
  unblock: 'timeout' | 'error' | null = null
  /** The connection is fed by an in-memory wire (RESP bytes), not called directly. */
  fedByWire = false
  resume: (() => void) | null = null

  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
}

export type Outcome =
  | { kind: 'done' }
  | { kind: 'deadlock'; blocked: number[] }
  | { kind: 'livelock'; steps: number }
  | { kind: 'error'; error: unknown }
  /** Two commands of one connection ran at once: the actor reached a seam point while it was not running. */
  | { kind: 'overlap'; client: number; site: string; state: string }

/** One scheduling decision, kept only when the run records a full trace (reports). */
export interface TraceEntry {
  step: number
  /** Logical time (shared with the history's invoke/return times). */
  t: number
  actor: number
  site: string
  detail?: string
  /** Number of enabled choices at this step. */
  choices: number
}

export interface SchedulerOptions {
  strategy: Strategy
  maxSteps: number
  hash: TraceHash
  /** Virtual-clock events still available to schedule, and what one does. */
  timer: { remaining: number; fire: () => void } | null
  /**
   * Time for the engine's next due timer (a blocking timeout), when one is scheduled: the clock jumps there and runs
   * it. Offered when no client is parked, or one is parked at 'serve'. `due` is false when no engine timer is scheduled.
   */
  jump?: { due: () => boolean; fire: () => void }
  /** A planned fault is due: disconnect the actor's connection before it continues. */
  onFault: (actor: SimActor) => void
  /**
   * Connections fed by bytes: whether the actor's wire holds a chunk not yet delivered, and handing the next one over
   * (called inside a decision; an idle actor is marked running first and the hand-over must happen in a microtask).
   */
  wire?: {
    pending: (actor: SimActor) => boolean
    deliver: (actor: SimActor, wasIdle: boolean) => void
    /** What the next delivery carries, for the full trace. */
    describe: (actor: SimActor) => string
  }
  /** Whether CLIENT UNBLOCK can run now (it needs the lock free), and running it for a waiting actor. */
  unblock?: { possible: () => boolean; fire: (actor: SimActor, how: 'timeout' | 'error') => void }
  /** Logical clock shared with the history recorder. */
  tick: () => number
  /** Keep a full trace of decisions (for reports). */
  trace: TraceEntry[] | null
}

export class Scheduler {
  /** Actors by id (ids are the engine's client ids, small integers). */
  private readonly actors: SimActor[] = []
  private readonly order: SimActor[] = []
  private running = 0
  private unfinished = 0
  /** Actors fed by a wire (deliveries are choices only when there are some). */
  private wired = 0
  private stopped = false
  private previous = -1
  private readonly enabled: number[] = []
  private readonly view = { step: 0, enabled: this.enabled as readonly number[], count: 0, previous: -1 }
  /** The decision tape: chosen index at every step that had a choice. */
  readonly tape: number[] = []
  steps = 0
  private finish!: (outcome: Outcome) => void
  readonly done: Promise<Outcome>

  constructor(private readonly options: SchedulerOptions) {
    this.done = new Promise((resolve) => {
      this.finish = resolve
    })
  }

  /**
   * Adds an actor, in the running state (its program is about to start). Call in increasing id order. A byte-fed
   * connection (`fedByWire`) starts idle, its client's code holding the running token until it waits for replies.
   */
  add(actor: SimActor, fedByWire = false): void {
    this.actors[actor.id] = actor
    this.order.push(actor)
    if (fedByWire) {
      actor.state = ActorState.Idle
      actor.fedByWire = true
      this.wired++
    }
    this.running++
    this.unfinished++
  }

  actor(id: number): SimActor | undefined {
    return this.actors[id]
  }

  get isStopped(): boolean {
    return this.stopped
  }

  /**
   * The actor reached a seam point. Returns undefined when it is chosen to continue at once (no await, no microtask
   * hop), otherwise a promise that resolves when it is chosen.
   */
  park(actor: SimActor, site: SeamSite, detail: string | undefined): Promise<void> | undefined {
    // One connection runs one command at a time: a second one reaching a seam point while the first is parked, blocked
    // or waiting means the connection let it overtake (an actor cannot be two places at once).
    if (actor.state !== ActorState.Running) {
      this.stop({ kind: 'overlap', client: actor.id, site, state: ActorState[actor.state].toLowerCase() })
      return new Promise<void>(() => {})
    }
    actor.state = ActorState.Parked
    actor.site = site
    actor.detail = detail
    actor.parks++
    if (--this.running === 0) {
      const next = this.decide()
      // Chosen again: continue synchronously (decide() already marked it running).
      if (next === actor) return undefined
      if (next) this.resumeLater(next)
    }
    return new Promise<void>((resolve) => {
      actor.resume = resolve
    })
  }

  /** The actor waits for the lock. */
  block(actor: SimActor): void {
    actor.state = ActorState.Blocked
    if (--this.running === 0) this.decideAndResume()
  }

  /** A release handed the lock to the actor: it runs as soon as microtasks do (to its 'lock-handed' park). */
  wake(actor: SimActor): void {
    if (actor.state !== ActorState.Blocked) return
    actor.state = ActorState.Running
    this.running++
  }

  /** The actor's blocking command found no data and released its lease: it waits until served or timed out. */
  waitOnKeys(actor: SimActor): void {
    if (actor.state !== ActorState.Running) return
    actor.state = ActorState.Waiting
    if (--this.running === 0) this.decideAndResume()
  }

  /** The waiting actor was served, timed out, unblocked or disconnected: it runs as soon as microtasks do. */
  unblocked(actor: SimActor): void {
    if (actor.state !== ActorState.Waiting) return
    actor.state = ActorState.Running
    this.running++
  }

  /**
   * The actor's program ended. For a byte-fed connection it is its client's code that ends (its running token goes);
   * the connection itself is idle by then: every reply came, or it closed.
   */
  finished(actor: SimActor): void {
    if (actor.state === ActorState.Finished) return
    if (actor.fedByWire && actor.state !== ActorState.Idle) {
      this.fail(new Error(`client ${actor.id} ended while its connection was ${ActorState[actor.state]}`))
      return
    }
    actor.state = ActorState.Finished
    this.unfinished--
    if (--this.running === 0) this.decideAndResume()
  }

  /** A byte-fed connection ran every command it received and waits for the next chunk. */
  idle(actor: SimActor): void {
    if (actor.state !== ActorState.Running) return
    actor.state = ActorState.Idle
    if (--this.running === 0) this.decideAndResume()
  }

  /** A pipelining client's code got the replies it waited for: it runs (in a microtask) until it waits again. */
  clientWakes(): void {
    this.running++
  }

  /** A pipelining client's code sent what it had and waits for replies. */
  clientWaits(): void {
    if (--this.running === 0) this.decideAndResume()
  }

  /** Ends the run at once with an error (a bug in the simulation itself, e.g. a client program threw). */
  fail(error: unknown): void {
    this.stop({ kind: 'error', error })
  }

  private decideAndResume(): void {
    const next = this.decide()
    if (next) this.resumeLater(next)
  }

  private resumeLater(actor: SimActor): void {
    const resume = actor.resume!
    actor.resume = null
    resume()
  }

  private stop(outcome: Outcome): void {
    if (this.stopped) return
    this.stopped = true
    this.finish(outcome)
  }

  /**
   * Takes scheduling decisions until an actor is to continue (returned, already marked running) or the run is over
   * (null). Timer events, clock jumps and faults are taken inline; when one wakes a client, that client runs first.
   */
  private decide(): SimActor | null {
    const { options, enabled, view } = this
    for (;;) {
      if (this.stopped) return null
      // An event taken inline (a timeout, a fault) woke a client: it runs to its next park first.
      if (this.running > 0) return null
      let count = 0
      let idle = 0
      let serving = false
      for (const actor of this.order) {
        const state = actor.state
        if (state === ActorState.Parked) {
          enabled[count++] = actor.id
          if (actor.site === 'serve') serving = true
        } else if (state === ActorState.Blocked || state === ActorState.Waiting || state === ActorState.Idle) idle++
      }
      const clients = count
      const wire = options.wire
      if (wire && this.wired > 0) {
        for (const actor of this.order) {
          if (actor.fedByWire && actor.state !== ActorState.Finished && wire.pending(actor)) {
            enabled[count++] = -(actor.id + DELIVERY)
          }
        }
      }
      if (idle > 0) {
        count = this.faultChoices(count)
        // Time may jump to the next blocking timeout when nobody else can run, and while a lease holder is about to
        // serve a blocked client (who may time out just then).
        if ((clients === 0 || serving) && options.jump?.due()) enabled[count++] = JUMP
      }
      const timer = options.timer
      if (clients > 0 && timer && timer.remaining > 0) enabled[count++] = TIMER_ACTOR
      if (count === 0) {
        if (this.unfinished === 0) this.stop({ kind: 'done' })
        else this.stop({ kind: 'deadlock', blocked: this.blockedIds() })
        return null
      }
      if (this.steps >= options.maxSteps) {
        this.stop({ kind: 'livelock', steps: this.steps })
        return null
      }
      let index = 0
      if (count > 1) {
        view.step = this.steps
        view.count = count
        view.previous = this.previous
        index = options.strategy.choose(view)
        if (!(index >= 0 && index < count))
          throw new Error(`strategy ${options.strategy.name} chose ${index} of ${count}`)
        this.tape.push(index)
      }
      const id = enabled[index]
      this.steps++
      this.previous = id
      if (id === TIMER_ACTOR) {
        timer!.remaining--
        this.record(TIMER_ACTOR, 'timer', undefined, count)
        timer!.fire()
        continue
      }
      if (id === JUMP) {
        this.record(TIMER_ACTOR, 'timer', 'jump', count)
        options.jump!.fire()
        continue
      }
      if (-id > DELIVERY && -id < UNBLOCK_FAULT) {
        const actor = this.actors[-id - DELIVERY]
        this.record(actor.id, 'deliver', options.trace ? wire!.describe(actor) : undefined, count)
        const wasIdle = actor.state === ActorState.Idle
        if (wasIdle) {
          actor.state = ActorState.Running
          this.running++
        }
        wire!.deliver(actor, wasIdle)
        continue
      }
      if (id < 0) {
        this.fault(id, count)
        continue
      }
      const actor = this.actors[id]
      this.record(id, actor.site, actor.detail, count)
      if (actor.disconnectAt !== 0 && actor.parks >= actor.disconnectAt) {
        actor.disconnectAt = 0
        this.record(id, 'fault', 'disconnect', 1)
        options.onFault(actor)
      }
      actor.state = ActorState.Running
      this.running++
      return actor
    }
  }

  /** Appends the faults possible now (on blocked and waiting clients) to the enabled set; returns the new count. */
  private faultChoices(count: number): number {
    const { enabled } = this
    const unblock = this.options.unblock
    let unblockable: boolean | undefined
    for (const actor of this.order) {
      const state = actor.state
      if (state !== ActorState.Blocked && state !== ActorState.Waiting && state !== ActorState.Idle) continue
      if (actor.disconnectAt !== 0) enabled[count++] = -actor.id
      if (state === ActorState.Waiting && actor.unblock !== null && unblock) {
        unblockable ??= unblock.possible()
        if (unblockable) enabled[count++] = -(actor.id + UNBLOCK_FAULT)
      }
    }
    return count
  }

  /** Runs the fault chosen by enabled-set id `id` (negative). */
  private fault(id: number, choices: number): void {
    if (-id > UNBLOCK_FAULT) {
      const actor = this.actors[-id - UNBLOCK_FAULT]
      const how = actor.unblock!
      actor.unblock = null
      this.record(actor.id, 'fault', `unblock ${how}`, choices)
      this.options.unblock!.fire(actor, how)
      return
    }
    const actor = this.actors[-id]
    actor.disconnectAt = 0
    this.record(actor.id, 'fault', 'disconnect', choices)
    this.options.onFault(actor)
  }

  /** Whether the actor is a byte-fed connection between commands. */
  isIdle(actor: SimActor): boolean {
    return actor.state === ActorState.Idle
  }

  private record(
    actor: number,
    site: SeamSite | 'fault' | 'deliver',
    detail: string | undefined,
    choices: number,
  ): void {
    const { options } = this
    options.hash.decision(actor, SITE_CODES[site])
    if (options.trace) {
      options.trace.push({ step: this.steps - 1, t: options.tick(), actor, site, detail, choices })
    }
  }

  private blockedIds(): number[] {
    const out: number[] = []
    for (const actor of this.order) {
      const state = actor.state
      if (state === ActorState.Blocked || state === ActorState.Waiting || state === ActorState.Idle) out.push(actor.id)
    }
    return out
  }
}
