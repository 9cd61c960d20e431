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
import { type Strategy, TIMER_ACTOR } from './strategies/strategy.ts'
import type { TraceHash } from './trace-hash.ts'

export enum ActorState {
  Running = 0,
  Parked = 1,
  Blocked = 2,
  Finished = 3,
  /** Blocked on keys (BLPOP & co.), without the lock: runnable again once served, timed out or unblocked. */
  Waiting = 4,
}

/** Enabled-set ids of faults: a disconnect of client `id` is `-id`, CLIENT UNBLOCK of it `-(id + UNBLOCK_FAULT)`. */
const UNBLOCK_FAULT = 0x4000
/** Enabled-set id of a jump of the clock to the engine's next due timer (a blocking timeout). */
const JUMP = -0x8000

/** Numeric codes of seam sites in traces and the trace hash. */
export const SITE_CODES: Record<SeamSite | 'fault', number> = {
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

  /** Adds an actor, in the running state (its program is about to start). Call in increasing id order. */
  add(actor: SimActor): void {
    this.actors[actor.id] = actor
    this.order.push(actor)
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

  /** The actor's program ended. */
  finished(actor: SimActor): void {
    if (actor.state === ActorState.Finished) return
    actor.state = ActorState.Finished
    this.unfinished--
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
        } else if (state === ActorState.Blocked || state === ActorState.Waiting) idle++
      }
      const clients = count
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
      if (state !== ActorState.Blocked && state !== ActorState.Waiting) continue
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

  private record(actor: number, site: SeamSite | 'fault', detail: string | undefined, choices: number): void {
    const { options } = this
    options.hash.decision(actor, SITE_CODES[site])
    if (options.trace) {
      options.trace.push({ step: this.steps - 1, t: options.tick(), actor, site, detail, choices })
    }
  }

  private blockedIds(): number[] {
    const out: number[] = []
    for (const actor of this.order) {
      if (actor.state === ActorState.Blocked || actor.state === ActorState.Waiting) out.push(actor.id)
    }
    return out
  }
}
