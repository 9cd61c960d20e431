/** Helpers for the scripting tests: a seam the test opens and closes by hand, and a clock that ticks on every read. */
import { ManualClock } from '../../src/engine/clock.ts'
import type { Actor, SchedulingSeam, SeamSite } from '../../src/engine/seam.ts'

/** A paused actor: where it stopped, and how to let it go on. */
export interface Parked {
  readonly site: SeamSite
  readonly actor: Actor
  readonly detail?: string
  release(): void
}

/**
 * A scheduling seam that parks actors at the chosen sites until the test releases them (the production seam never
 * parks). `waitFor` resolves when an actor reaches a parked site.
 */
export class GateSeam implements SchedulingSeam {
  readonly parked: Parked[] = []
  private waiters: Array<() => void> = []

  constructor(private readonly sites: ReadonlySet<SeamSite>) {}

  point(site: SeamSite, actor: Actor, detail?: string): void | Promise<void> {
    if (!this.sites.has(site)) return
    return new Promise<void>((resolve) => {
      this.parked.push({ site, actor, detail, release: resolve })
      for (const w of this.waiters.splice(0)) w()
    })
  }

  /** Resolves once `count` actors in total have parked. */
  async waitFor(count: number): Promise<Parked> {
    while (this.parked.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve))
    return this.parked[count - 1]
  }
}

/** A manual clock that also moves `stepMs` forward every time it is read (a script's busy time passes as it runs). */
export class TickingClock extends ManualClock {
  constructor(private readonly stepMs: number) {
    super()
  }

  override now(): number {
    const t = super.now()
    this.advance(this.stepMs)
    return t
  }
}

/** Lets pending macrotasks (setImmediate) and microtasks run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
