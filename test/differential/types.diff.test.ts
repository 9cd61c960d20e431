/**
 * Differential fuzzing of every data-type command: generated sequences per type (and all types mixed)
 * over a three-key keyspace and two connections, with MULTI/EXEC/WATCH interleaved, must get byte-identical replies
 * from redsim and redis-server (order-insensitive only where Redis defines no order; random replies by shape).
 * On failure fast-check shrinks the sequence and the error shows the whole shrunk transcript.
 *
 * REDSIM_DIFF_RUNS sets the sequences per type (default 100; raise it for a local campaign), DIFF_SEED replays a
 * reported seed, DIFF_ONLY=<name> runs one generator.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { typeSequences } from './generators/index.ts'
import { describeDifferential } from './harness.ts'

const runs = Number(process.env.REDSIM_DIFF_RUNS ?? 100)
const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED)
const only = process.env.DIFF_ONLY

describeDifferential('differential: generated data-type sequences', (pair) => {
  for (const [name, sequences] of Object.entries(typeSequences)) {
    if (only && only !== name) continue
    it(`${name}: redsim and redis-server agree on ${runs} generated sequences`, async () => {
      await fc.assert(
        fc.asyncProperty(sequences, async (steps) => {
          await pair().expectSame(steps)
        }),
        { numRuns: runs, seed, endOnFailure: false },
      )
    }, 600_000)
  }
})
