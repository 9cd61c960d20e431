/**
 * The simulation's SchedulingSeam: every seam point parks the calling actor in the scheduler, the lock's wait and
 * hand-off notifications move actors between blocked and running, the blocking registry's notifications move them
 * between waiting (on keys) and running, and the recorder receives every keyspace access. Actors the scheduler does
 * not know (the connection a CLIENT UNBLOCK fault uses) pass straight through.
 */
import type { Clock } from '../src/engine/clock.ts'
import type { Actor, SchedulingSeam, SeamSite } from '../src/engine/seam.ts'
import type { Recorder, ServerCall } from './recorder.ts'
import type { Scheduler } from './scheduler.ts'

export class SimSeam implements SchedulingSeam {
  /** Details (the arriving command's name) only feed the full trace: without one, the executor need not build them. */
  readonly ignoresDetail: boolean

  constructor(
    private readonly scheduler: Scheduler,
    readonly recorder: Recorder,
    private readonly clock: Clock,
    keepsDetail = true,
  ) {
    this.ignoresDetail = !keepsDetail
  }

  point(site: SeamSite, actor: Actor, detail?: string): void | Promise<void> {
    const sim = this.scheduler.actor(actor.id)
    if (!sim) return undefined
    if (site === 'lock-acquired') this.recorder.lockAcquired(actor.id, this.clock.now())
    return this.scheduler.park(sim, site, detail)
  }

  lockWaiting(actor: Actor): void {
    const sim = this.scheduler.actor(actor.id)
    if (sim) this.scheduler.block(sim)
  }

  lockHandedTo(actor: Actor): void {
    const sim = this.scheduler.actor(actor.id)
    if (sim) this.scheduler.wake(sim)
  }

  blockedOnKeys(actor: Actor): void {
    const sim = this.scheduler.actor(actor.id)
    if (!sim) return
    this.leaveSerialOrder(actor.id)
    this.scheduler.waitOnKeys(sim)
  }

  unblocked(actor: Actor, served: boolean): void {
    const sim = this.scheduler.actor(actor.id)
    if (!sim) return
    // A served command ran under the pusher's lease: that is its place in the serial order.
    if (served) this.joinSerialOrder(actor.id, this.clock.now())
    this.scheduler.unblocked(sim)
  }

  /**
   * Held back by CLIENT PAUSE: it waits, like a client blocked on keys, until the pause ends, and its command is then
   * processed again. Held back after it took the lock (the pause began while it waited), that acquisition ran nothing:
   * it leaves the serial order (a stub keeps the positions after it) and takes its place when it takes the lock again.
   */
  postponed(actor: Actor): void {
    const sim = this.scheduler.actor(actor.id)
    if (!sim) return
    const call = this.lastCall(actor.id)
    if (call && call.serial >= 0) {
      this.recorder.serialOrder[call.serial] = { ...call, dropped: true }
      call.serial = -1
    }
    this.scheduler.waitOnKeys(sim)
  }

  resumed(actor: Actor): void {
    const sim = this.scheduler.actor(actor.id)
    if (sim) this.scheduler.unblocked(sim)
  }

  /**
   * A blocking command that blocked has no effect where it took the lock: its place in the serial order is where it
   * is served, if ever. Until then it counts as dropped (the witness replays nothing for it: a timed-out, unblocked or
   * disconnected wait changes no key); a stub keeps the positions of the entries after it.
   */
  private leaveSerialOrder(client: number): void {
    const call = this.lastCall(client)
    if (!call) return
    if (call.serial >= 0) this.recorder.serialOrder[call.serial] = { ...call, dropped: true }
    call.serial = -1
    call.dropped = true
  }

  /** The blocked command was served, under the pusher's lease, at virtual time `now`. */
  private joinSerialOrder(client: number, now: number): void {
    const call = this.lastCall(client)
    if (!call || call.serial >= 0) return
    call.dropped = false
    call.serial = this.recorder.serialOrder.length
    call.time = now
    this.recorder.serialOrder.push(call)
  }

  private lastCall(client: number): ServerCall | undefined {
    const calls = this.recorder.calls
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i].client === client) return calls[i]
    return undefined
  }
}
