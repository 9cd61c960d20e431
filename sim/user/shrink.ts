/**
 * Shrinking a failing user simulation: first fewer clients (the smallest count for which some schedule still fails:
 * the failing seed's own schedule, then other seeds), then fewer preemptions (each decision that switched away from a
 * connection that could go on is replaced, one at a time, by staying on it; a replacement is kept when the run still
 * fails with no more preemptions than before). Every candidate is a real run; the result is the last run that failed,
 * whose recorded tape replays it exactly.
 */
import { RandomWalk } from '../strategies/random.ts'
import type { StepView, Strategy } from '../strategies/strategy.ts'
import { type RunOptions, type RunResult, runOnce } from './run.ts'

/** Follows a list of chosen event ids; an entry that is not enabled (or `-1`) stays on the previous connection. */
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

/** The choice that does not preempt: an event of the connection that moved last, else the first enabled event. */
export function stayingChoice(view: StepView): number {
  const conn = view.previous >> 1
  if (conn > 0) for (let i = 0; i < view.count; i++) if (view.enabled[i] >> 1 === conn) return i
  return 0
}

export interface ShrinkBudget {
  /** Runs spent on fewer clients, at most. */
  clientRuns: number
  /** Runs spent on fewer preemptions, at most. */
  preemptionRuns: number
}

export async function shrinkFailure<R>(
  options: RunOptions<R>,
  failing: RunResult,
  budget: ShrinkBudget,
): Promise<{ run: RunResult; runs: number }> {
  let best = failing
  let runs = 0
  // Fewer clients: the smallest count that fails wins, so counts are tried from 2 upwards.
  for (let clients = 2; clients < failing.clients && runs < budget.clientRuns; clients++) {
    const smaller = { ...options, clients }
    const perCount = Math.max(1, Math.floor(budget.clientRuns / Math.max(1, failing.clients - 2)))
    let found: RunResult | null = null
    for (let i = 0; i < perCount && runs < budget.clientRuns && !found; i++) {
      const seed = failing.seed + i
      runs++
      const run = await runOnce(smaller, seed, new RandomWalk(seed))
      if (run.failure && run.failure.kind !== 'step-limit') found = run
    }
    if (found) {
      best = found
      break
    }
  }
  // Fewer preemptions, greedily, from the first decision on.
  let spent = 0
  let at = 0
  while (spent < budget.preemptionRuns && best.preemptions > 0 && at < best.chosen.length) {
    const ids = best.chosen.slice()
    ids[at] = -1
    spent++
    runs++
    const run = await runOnce({ ...options, clients: best.clients }, best.seed, new PreferStrategy(ids))
    if (run.failure && run.failure.kind !== 'step-limit' && run.preemptions <= best.preemptions) {
      // The shorter schedule shifted later decisions: scan it again from this position.
      if (run.preemptions < best.preemptions || run.chosen.length < best.chosen.length) best = run
      else at++
    } else at++
  }
  return { run: best, runs }
}
