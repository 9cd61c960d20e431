/**
 * The workload invariants as a simulator checker (sim/checkers/types.ts), over the run's history only.
 * Register it by adding `workloadInvariants` to CHECKERS in sim/checkers/index.ts.
 */
import type { Checker, RecordedRun, Violation } from '../checkers/types.ts'
import type { History } from '../linearizability/history.ts'
import { checkInvariants } from './index.ts'

export const workloadInvariants: Checker = {
  name: 'workload-invariants',
  check(run: RecordedRun): Violation[] {
    return checkInvariants(run.history as History).map((found) => {
      const clients = new Set<number>()
      for (const op of run.history) if (found.operations.includes(op.id)) clients.add(op.client)
      return {
        kind: found.invariant,
        message: found.message,
        operations: found.operations,
        clients: [...clients],
        keys: found.keys,
        accesses: [],
      }
    })
  },
}
