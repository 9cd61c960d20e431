import { describe, it } from 'vitest'
import { expectPropertyHolds } from './correct-executor.ts'

describe('property: workload invariants and clean runs on the correct executor', () => {
  it('transfers keep the total, counters match increments, locks are exclusive, list reads are prefixes', async () => {
    await expectPropertyHolds('invariants', 1500)
  }, 600_000)

  it('no deadlock, livelock, leaked lease or internal error, and the witness replay agrees', async () => {
    await expectPropertyHolds('clean-run', 1500)
  }, 600_000)
})
