import { describe, it } from 'vitest'
import { expectPropertyHolds } from './correct-executor.ts'

describe('property: on the correct executor, no access lands inside a script or EXEC of another client', () => {
  it('small swarms: up to 4 clients, 4 operations each', async () => {
    await expectPropertyHolds('no-interleaved-writes', 1500)
  }, 600_000)

  it('wider swarms: up to 6 clients, 8 operations each', async () => {
    await expectPropertyHolds('no-interleaved-writes', 300, { maxClients: 6, maxOps: 8 })
  }, 600_000)
})
