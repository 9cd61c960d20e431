/**
 * Generated sequences over a tiny keyspace and two connections: redsim must answer every step exactly as
 * redis-server does. On failure fast-check shrinks the sequence, and the error shows the whole shrunk transcript.
 * DIFF_RUNS sets the number of sequences (default 150); DIFF_SEED replays a reported seed.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { sequenceArb } from './command-generator.ts'
import { describeDifferential } from './harness.ts'

const runs = Number(process.env.DIFF_RUNS ?? process.env.REDSIM_DIFF_RUNS ?? 150)
const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED)

describeDifferential('differential: generated command sequences', (pair) => {
  it(`redsim and redis-server agree on ${runs} generated sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (steps) => {
        await pair().expectSame(steps)
      }),
      { numRuns: runs, seed, endOnFailure: false },
    )
  }, 120_000)
})
