/**
 * How a user simulation chooses among packets in flight and the virtual timer. The search uses the simulator's
 * random walk with a timer rate: at each step where time could move, it moves with probability TIMER_RATE, and
 * otherwise a packet is delivered, uniformly among those in flight. Deliveries are what reorder user code, and on a
 * real network they take microseconds against the milliseconds of timeouts and sleeps; a uniform choice would move
 * time as often as it delivers a packet, so every sleeping client's timer would fire while packets wait, and a
 * client polling every 100 ms would in effect poll every few hundred. The rate still lets time pass with packets in
 * flight now and then: a slow network, a reply that arrives after a lease ran out.
 */
import { RandomWalk } from '../strategies/random.ts'
import type { StepView, Strategy } from '../strategies/strategy.ts'

export const TIMER_RATE = 0.05

/** The strategy seed `seed` searches with. */
export function searchStrategy(seed: number): Strategy {
  return new RandomWalk(seed, TIMER_RATE)
}

/** The choice that does not preempt: an event of the connection that moved last, else the first enabled event. */
export function stayingChoice(view: StepView): number {
  const conn = view.previous >> 1
  if (conn > 0) for (let i = 0; i < view.count; i++) if (view.enabled[i] >> 1 === conn) return i
  return 0
}

/**
 * Follows a list of chosen event ids (connection * 2 + direction, 0 for the timer), used by shrinking; an entry
 * that is not enabled, or -1, stays on the connection that moved last.
 */
export class PreferStrategy implements Strategy {
  readonly name = 'prefer'
  private position = 0

  constructor(private readonly ids: readonly number[]) {}

  choose(view: StepView): number {
    const wanted = this.position < this.ids.length ? this.ids[this.position] : -1
    this.position++
    for (let i = 0; i < view.count; i++) if (view.enabled[i] === wanted) return i
    return stayingChoice(view)
  }
}
