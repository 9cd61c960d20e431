/**
 * Generated schedules as simulator strategies. A schedule is either a dense decision tape (sim/decision-tape.ts: an
 * index into the enabled set at every decision) or sparse preemption points: at the n-th decision, run the k-th
 * *other* enabled actor rather than the one that would continue; at every other decision, nobody is preempted. The
 * sparse form is what shrinks well: dropping a point removes exactly one preemption.
 *
 * Whatever the form, the run records the scheduler's own tape, which replays it exactly (race reports store that).
 */
import { nonPreemptingChoice, TapeStrategy } from '../sim/decision-tape.ts'
import type { StepView, Strategy } from '../sim/strategies/strategy.ts'

export type Schedule =
  | { kind: 'tape'; tape: number[] }
  | { kind: 'preemptions'; points: Array<{ at: number; pick: number }> }

export class PreemptionPoints implements Strategy {
  readonly name = 'preemption-points'
  private decision = 0
  private readonly picks = new Map<number, number>()

  constructor(points: ReadonlyArray<{ at: number; pick: number }>) {
    // The first point at a decision wins; later duplicates are no-ops (so shrinking them away changes nothing).
    for (const { at, pick } of points) if (!this.picks.has(at)) this.picks.set(at, pick)
  }

  choose(view: StepView): number {
    const def = nonPreemptingChoice(view)
    const pick = this.picks.get(this.decision++)
    if (pick === undefined) return def
    // The pick-th of the other enabled actors, counting on from the default (cyclically).
    return (def + 1 + ((pick - 1) % (view.count - 1))) % view.count
  }
}

export function strategyOf(schedule: Schedule): Strategy {
  return schedule.kind === 'tape' ? new TapeStrategy(schedule.tape) : new PreemptionPoints(schedule.points)
}

export function describeSchedule(schedule: Schedule): string {
  return schedule.kind === 'tape'
    ? `tape of ${schedule.tape.length} decisions`
    : `${schedule.points.length} preemption point(s)${schedule.points.length ? ` at decisions ${schedule.points.map((p) => p.at).join(', ')}` : ''}`
}
