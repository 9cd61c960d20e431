/**
 * PCT (Burckhardt et al., "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): each
 * actor gets a random distinct priority, the highest-priority enabled actor always runs, and at d-1 randomly chosen
 * steps the actor about to run drops to a priority below all initial ones. A bug of depth d (needing d ordering
 * constraints) is found with probability at least 1/(n k^(d-1)) per run, for n actors and k steps.
 */
import seedrandom from 'seedrandom'
import { deliveryTarget, type StepView, type Strategy, TIMER_ACTOR, timerAtRate } from './strategy.ts'

export class Pct implements Strategy {
  readonly name: string
  /** priority[actorId]; higher runs first. */
  private readonly priority: number[] = []
  /** Sorted step numbers at which the next priority change happens. */
  private readonly changePoints: number[]
  private nextChange = 0
  private readonly drawTimer: () => number

  /**
   * @param actors ids of the simulated clients (the timer, id 0, takes part too)
   * @param depth d: the bug depth to target; d-1 priority change points
   * @param expectedSteps an estimate of the run's length k, over which change points are spread
   * @param timerRate when given, the timer has no priority: it fires at this rate per step (see timerAtRate)
   */
  constructor(
    seed: number,
    actors: readonly number[],
    depth: number,
    expectedSteps: number,
    private readonly timerRate?: number,
  ) {
    this.name = `pct(d=${depth})`
    const prng = seedrandom(`${seed}:pct`)
    const timerPrng = seedrandom(`${seed}:pct-timer`)
    this.drawTimer = () => timerPrng.quick()
    const all = [TIMER_ACTOR, ...actors]
    // Random distinct initial priorities depth .. depth+n-1 (Fisher-Yates over the actors).
    const order = all.slice()
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(prng.quick() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    order.forEach((actor, rank) => {
      this.priority[actor] = depth + rank
    })
    const k = Math.max(1, expectedSteps)
    this.changePoints = Array.from({ length: Math.max(0, depth - 1) }, () => Math.floor(prng.quick() * k)).sort(
      (a, b) => a - b,
    )
  }

  choose(view: StepView): number {
    const timer = timerAtRate(view, this.timerRate, this.drawTimer)
    if (timer >= 0) return timer
    let best = this.highest(view)
    // Every change point due by now lowers the actor about to run, one priority level per point (d-1 .. 1).
    while (this.nextChange < this.changePoints.length && this.changePoints[this.nextChange] <= view.step) {
      this.priority[view.enabled[best]] = this.changePoints.length - this.nextChange
      this.nextChange++
      best = this.highest(view)
    }
    return best
  }

  private highest(view: StepView): number {
    let best = 0
    let bestPriority = -1
    const count =
      this.timerRate !== undefined && view.enabled[view.count - 1] === TIMER_ACTOR ? view.count - 1 : view.count
    for (let i = 0; i < count; i++) {
      const id = view.enabled[i]
      // The network delivering a client's bytes runs at that client's priority: its connection's thread goes on.
      const p = (id < 0 ? this.priority[deliveryTarget(id)] : this.priority[id]) ?? 0
      if (p > bestPriority) {
        bestPriority = p
        best = i
      }
    }
    return best
  }
}
