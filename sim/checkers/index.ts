/** The checkers every execution goes through, in reporting order. Issue 5 adds its checkers here. */
import { leaseReleased, noInternalErrors } from './end-state.ts'
import { noInterleavedWrites } from './no-interleaved-writes.ts'
import { schedulerVerdict } from './scheduler-verdict.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'

export const CHECKERS: Checker[] = [schedulerVerdict, noInterleavedWrites, leaseReleased, noInternalErrors]

export function checkRun(run: RecordedRun, checkers: readonly Checker[] = CHECKERS): Violation[] {
  const out: Violation[] = []
  for (const checker of checkers) out.push(...checker.check(run))
  return out
}
