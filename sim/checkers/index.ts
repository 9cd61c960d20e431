/** The checkers every execution goes through, in reporting order. Issue 5 adds its checkers here. */
import { leaseReleased, noInternalErrors } from './end-state.ts'
import { noInterleavedWrites } from './no-interleaved-writes.ts'
import { schedulerVerdict } from './scheduler-verdict.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { witness } from './witness.ts'

export const CHECKERS: Checker[] = [schedulerVerdict, noInterleavedWrites, leaseReleased, noInternalErrors, witness]

export async function checkRun(run: RecordedRun, checkers: readonly Checker[] = CHECKERS): Promise<Violation[]> {
  const out: Violation[] = []
  for (const checker of checkers) {
    const found = checker.check(run)
    out.push(...(found instanceof Promise ? await found : found))
  }
  return out
}
