/**
 * The checkers every execution goes through, in reporting order. Each declares the violation kinds it reports
 * (./registry.ts). The linearizability checker and the workload invariants adapt sim/linearizability and
 * sim/invariants, which read only the history, as a black box.
 */
import { workloadInvariants } from './workload-invariants.ts'
import { linearizability } from './linearizability.ts'
import { connectionOrder } from './connection-order.ts'
import { leaseReleased, noInternalErrors } from './end-state.ts'
import { noInterleavedWrites } from './no-interleaved-writes.ts'
import { schedulerVerdict } from './scheduler-verdict.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { witness } from './witness.ts'

/** The checkers with their exact types, from which ./registry.ts derives the violation kinds. */
export const REGISTERED_CHECKERS = [
  schedulerVerdict,
  connectionOrder,
  noInterleavedWrites,
  leaseReleased,
  noInternalErrors,
  witness,
  linearizability,
  workloadInvariants,
] as const

export const CHECKERS: Checker[] = [...REGISTERED_CHECKERS]

export async function checkRun(run: RecordedRun, checkers: readonly Checker[] = CHECKERS): Promise<Violation[]> {
  const out: Violation[] = []
  for (const checker of checkers) {
    const found = checker.check(run)
    out.push(...(found instanceof Promise ? await found : found))
  }
  return out
}
