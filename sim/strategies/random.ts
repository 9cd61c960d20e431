/** Uniform random walk: at every choice, each enabled actor is equally likely. Cheap, and surprisingly effective. */
import seedrandom from 'seedrandom'
import type { StepView, Strategy } from './strategy.ts'

export class RandomWalk implements Strategy {
  readonly name = 'random'
  private readonly prng: seedrandom.PRNG

  constructor(seed: number) {
    this.prng = seedrandom(`${seed}:random-walk`)
  }

  choose(view: StepView): number {
    return Math.floor(this.prng.quick() * view.count)
  }
}
