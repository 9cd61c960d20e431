/**
 * The decision tape: the index chosen at each scheduling step that had more than one enabled actor. A tape replays a
 * run exactly, whichever strategy first produced it, and it is a plain list of integers so that fast-check can
 * generate and shrink schedules directly.
 *
 * Tapes are forgiving on input: an entry is taken modulo the number of choices at its step, and a tape that runs out
 * continues with non-preempting choices (keep running the actor that just ran, else the lowest id). So every list of
 * integers is a valid schedule, and a shrunk tape stays meaningful.
 */
import { indexOfActor, type StepView, type Strategy } from './strategies/strategy.ts'

/** The choice that does not preempt: the previous actor if it can continue, else the first enabled one. */
export function nonPreemptingChoice(view: StepView): number {
  const i = indexOfActor(view, view.previous)
  return i === -1 ? 0 : i
}

/** Normalizes a tape entry to an index in [0, count). */
export function tapeIndex(entry: number, count: number): number {
  const i = Math.trunc(entry) % count
  return i < 0 ? i + count : i
}

/** Replays a recorded or generated tape. */
export class TapeStrategy implements Strategy {
  readonly name = 'tape'
  private position = 0

  constructor(
    private readonly tape: readonly number[],
    private readonly fallback?: Strategy,
  ) {}

  choose(view: StepView): number {
    if (this.position < this.tape.length) return tapeIndex(this.tape[this.position++], view.count)
    return this.fallback ? this.fallback.choose(view) : nonPreemptingChoice(view)
  }

  /** Entries used so far. */
  get consumed(): number {
    return this.position
  }
}
