/**
 * A scheduling strategy answers one question at every scheduling step that has a real choice: which of the enabled
 * actors continues? The scheduler records each answer on the decision tape, so any run can be replayed from its tape
 * alone, whatever strategy produced it.
 */

/** The id the scheduler gives the virtual clock's timer events; simulated clients have ids from 1. */
export const TIMER_ACTOR = 0

/**
 * Enabled-set ids of the network delivering the next chunk of client `id`'s bytes: `-(id + DELIVERY_ID_BASE)` (other
 * negative ids are faults and the clock's jump).
 */
export const DELIVERY_ID_BASE = 0x2000
/** Enabled-set ids of CLIENT UNBLOCK faults: `-(id + UNBLOCK_ID_BASE)`. */
export const UNBLOCK_ID_BASE = 0x4000

/** The client a delivery id delivers to, or -1 when `id` is not a delivery. */
export function deliveryTarget(id: number): number {
  return id < -DELIVERY_ID_BASE && id > -UNBLOCK_ID_BASE ? -id - DELIVERY_ID_BASE : -1
}

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

/**
 * Time is not a thread: a timer event should land anywhere in a run, not all at its start (a uniform choice among
 * clients and the timer fires every event within the first few steps) nor all at its end (a low PCT priority). With a
 * rate, a strategy offers the timer, when enabled, with that probability at each step, so a run's events spread over
 * its expected length and some fall while a script or EXEC holds the lock. Returns the timer's index, or -1.
 */
export function timerAtRate(view: StepView, rate: number | undefined, draw: () => number): number {
  if (rate === undefined) return -1
  const last = view.count - 1
  if (view.enabled[last] !== TIMER_ACTOR) return -1
  return draw() < rate ? last : -1
}

/** The timer rate that spreads `events` timer events over a run of about `expectedSteps` steps. */
export function spreadTimerRate(events: number, expectedSteps: number): number | undefined {
  if (events <= 0) return undefined
  return Math.min(0.5, events / Math.max(1, expectedSteps))
}
