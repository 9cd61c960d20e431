/**
 * The checkers every execution goes through, in reporting order. The first five live here; the linearizability
 * checker and the workload invariants come from sim/linearizability and sim/invariants and read only the
 * history, as a black box.
 */
import { workloadInvariants } from './workload-invariants.ts'
import { linearizability } from './linearizability.ts'
import { connectionOrder } from './connection-order.ts'
import { leaseReleased, noInternalErrors } from './end-state.ts'
import { noInterleavedWrites } from './no-interleaved-writes.ts'
import { schedulerVerdict } from './scheduler-verdict.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { witness } from './witness.ts'

export const CHECKERS: Checker[] = [
  schedulerVerdict,
  connectionOrder,
  noInterleavedWrites,
  leaseReleased,
  noInternalErrors,
  witness,
  linearizability,
  workloadInvariants,
]

export async function checkRun(run: RecordedRun, checkers: readonly Checker[] = CHECKERS): Promise<Violation[]> {
  const out: Violation[] = []
  for (const checker of checkers) {
    const found = checker.check(run)
    out.push(...(found instanceof Promise ? await found : found))
  }
  return out
}
