import { describe, it } from 'vitest'
import { expectPropertyHolds } from './correct-executor.ts'

describe('property: every history on the correct executor is linearizable (EVAL timelines included)', () => {
  it('small swarms: up to 4 clients, 4 operations each', async () => {
    await expectPropertyHolds('linearizable', 1500)
  }, 600_000)

  it('wider swarms: up to 6 clients, 8 operations each', async () => {
    await expectPropertyHolds('linearizable', 300, { maxClients: 6, maxOps: 8 })
  }, 600_000)
})
