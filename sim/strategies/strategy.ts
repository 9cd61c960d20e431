/**
 * A scheduling strategy answers one question at every scheduling step that has a real choice: which of the enabled
 * actors continues? The scheduler records each answer on the decision tape, so any run can be replayed from its tape
 * alone, whatever strategy produced it.
 */

/** The id the scheduler gives the virtual clock's timer events; simulated clients have ids from 1. */
export const TIMER_ACTOR = 0

/** What a strategy sees at one step. `enabled` is only valid during the call (the scheduler reuses the array). */
export interface StepView {
  /** Scheduling step number, from 0. */
  readonly step: number
  /** Ids of the enabled actors in increasing id order, the timer (id 0), when enabled, last. */
  readonly enabled: readonly number[]
  /** How many entries of `enabled` are valid. */
  readonly count: number
  /** The actor resumed at the previous step (-1 before the first): continuing it is not a preemption. */
  readonly previous: number
}

export interface Strategy {
  readonly name: string
  /** Returns an index in [0, view.count). Only called when view.count > 1. */
  choose(view: StepView): number
}

export type StrategyName = 'random' | 'pct' | 'dfs' | 'portfolio'
export const STRATEGY_NAMES: readonly StrategyName[] = ['random', 'pct', 'dfs', 'portfolio']

/** Index of `actor` in the enabled set, or -1. */
export function indexOfActor(view: StepView, actor: number): number {
  for (let i = 0; i < view.count; i++) if (view.enabled[i] === actor) return i
  return -1
}
