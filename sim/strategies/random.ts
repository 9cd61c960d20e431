/** Uniform random walk: at every choice, each enabled actor is equally likely. Cheap, and surprisingly effective. */
import seedrandom from 'seedrandom'
import { type StepView, type Strategy, timerAtRate } from './strategy.ts'

export class RandomWalk implements Strategy {
  readonly name = 'random'
  private readonly prng: seedrandom.PRNG

  private readonly draw: () => number

  /** @param timerRate when given, timer events fire at this rate per step (see timerAtRate) instead of uniformly */
  constructor(
    seed: number,
    private readonly timerRate?: number,
  ) {
    this.prng = seedrandom(`${seed}:random-walk`)
    this.draw = () => this.prng.quick()
  }

  choose(view: StepView): number {
    const timer = timerAtRate(view, this.timerRate, this.draw)
    if (timer >= 0) return timer
    // With a rate, the timer is offered only above: the uniform choice is among the clients.
    const clients = this.timerRate !== undefined && view.enabled[view.count - 1] === 0 ? view.count - 1 : view.count
    return Math.floor(this.prng.quick() * clients)
  }
}
