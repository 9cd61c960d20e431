import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, runSeed } from '../sim/run.ts'
import { propertyCase, runCase, runs, seedFor } from './harness.ts'

describe('property: the same seed gives the same trace hash', () => {
  it('a generated workload and schedule run twice give the same trace hash, tape and history', async () => {
    await fc.assert(
      fc.asyncProperty(propertyCase(), async (c) => {
        const first = await runCase(c)
        const second = await runCase(c)
        expect(second.traceHash).toBe(first.traceHash)
        expect(second.tape).toEqual(first.tape)
        expect(second.recorder.history).toEqual(first.recorder.history)
      }),
      { seed: seedFor('determinism-cases'), numRuns: runs(300) },
    )
  }, 600_000)

  it('a simulator seed (any strategy, any workload) run twice gives the same exploration hash', async () => {
    const workloads = ['swarm', 'counter', 'transfer', 'transactions', 'lock', 'list-append', 'rate-limiter', 'cas']
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(...workloads),
        fc.constantFrom('correct', 'per-call-lock', 'exec-unlocked'),
        async (seed, workload, mutant) => {
          const config = { ...DEFAULT_CONFIG, seed, workload, mutant }
          const first = await runSeed(config)
          const second = await runSeed(config)
          expect(second.explorationHash).toBe(first.explorationHash)
          expect(second.verdict).toBe(first.verdict)
        },
      ),
      { seed: seedFor('determinism-seeds'), numRuns: runs(40) },
    )
  }, 600_000)

  it('the replayed tape of a generated schedule reproduces the run exactly', async () => {
    await fc.assert(
      fc.asyncProperty(propertyCase(), async (c) => {
        const first = await runCase(c)
        const replayed = await runCase({ ...c, schedule: { kind: 'tape', tape: first.tape } })
        expect(replayed.traceHash).toBe(first.traceHash)
      }),
      { seed: seedFor('determinism-replay'), numRuns: runs(300) },
    )
  }, 600_000)
})
