/**
 * The simulation's SchedulingSeam: every seam point parks the calling actor in the scheduler, the lock's wait and
 * hand-off notifications move actors between blocked and running, and the recorder receives every keyspace access.
 * Actors the scheduler does not know (none, in a normal run) pass straight through.
 */
import type { Clock } from '../src/engine/clock.ts'
import type { Actor, SchedulingSeam, SeamSite } from '../src/engine/seam.ts'
import type { Recorder } from './recorder.ts'
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
}
