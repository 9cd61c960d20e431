/**
 * Shrinking a failing user simulation: first fewer clients (the smallest count for which some schedule still fails:
 * the failing seed's own schedule, then other seeds), then no faults when the same schedule fails without them, then
 * fewer preemptions (each decision that switched away from a connection that could go on is replaced, one at a time,
 * by staying on it; a replacement is kept when the run still fails with no more preemptions than before). Every
 * candidate is a real run; the result is the last run that failed, whose recorded tape replays it exactly.
 */
import { type FaultBudget, type RunOptions, type RunResult, runOnce } from './run.ts'
import { PreferStrategy, searchStrategy } from './strategy.ts'

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
      const run = await runOnce(smaller, seed, searchStrategy(seed))
      if (run.failure && run.failure.kind !== 'step-limit') found = run
    }
    if (found) {
      best = found
      break
    }
  }
  // No faults, when the failure does not need them: the same schedule as far as it goes. All of them first, then
  // each kind alone.
  const { disconnects, stalls } = best.faults
  const fewer: Array<Partial<FaultBudget>> = []
  if (disconnects > 0 && stalls > 0) fewer.push({ disconnects: 0, stalls: 0 })
  if (disconnects > 0) fewer.push({ disconnects: 0 })
  if (stalls > 0) fewer.push({ stalls: 0 })
  for (const change of fewer) {
    const faults = { ...best.faults, ...change }
    if (faults.disconnects === best.faults.disconnects && faults.stalls === best.faults.stalls) continue
    runs++
    const run = await runOnce({ ...options, clients: best.clients, faults }, best.seed, new PreferStrategy(best.chosen))
    if (run.failure && run.failure.kind !== 'step-limit') best = run
  }
  // Fewer preemptions, greedily, from the first decision on.
  let spent = 0
  let at = 0
  while (spent < budget.preemptionRuns && best.preemptions > 0 && at < best.chosen.length) {
    const ids = best.chosen.slice()
    ids[at] = -1
    spent++
    runs++
    const run = await runOnce(
      { ...options, clients: best.clients, faults: best.faults },
      best.seed,
      new PreferStrategy(ids),
    )
    if (run.failure && run.failure.kind !== 'step-limit' && run.preemptions <= best.preemptions) {
      // The shorter schedule shifted later decisions: scan it again from this position.
      if (run.preemptions < best.preemptions || run.chosen.length < best.chosen.length) best = run
      else at++
    } else at++
  }
  return { run: best, runs }
}
