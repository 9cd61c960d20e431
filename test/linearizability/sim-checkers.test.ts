import { describe, expect, it } from 'vitest'
import type { RecordedRun } from '../../sim/checkers/types.ts'
import { workloadInvariants } from '../../sim/checkers/workload-invariants.ts'
import { linearizability } from '../../sim/checkers/linearizability.ts'
import { variantNamed } from '../../sim/mutants.ts'
import { DEFAULT_CONFIG, defaultMaxSteps, execute, scenarioFor } from '../../sim/run.ts'
import { RandomWalk } from '../../sim/strategies/random.ts'

/** Runs one seed of a workload with a random walk and returns what the simulator's checkers receive. */
async function recordedRun(workload: string, mutant: string, seed: number): Promise<RecordedRun> {
  const scenario = scenarioFor({ ...DEFAULT_CONFIG, seed, workload, strategy: 'random', mutant })
  const execution = await execute({
    scenario,
    strategy: new RandomWalk(seed),
    variant: variantNamed(mutant),
    maxSteps: defaultMaxSteps(scenario),
  })
  return {
    scenario,
    outcome: execution.outcome,
    steps: execution.steps,
    history: execution.recorder.history,
    log: execution.recorder.log,
    spans: execution.recorder.spans,
    engine: execution.engine,
    clientIds: execution.clientIds,
    calls: execution.recorder.calls,
    serialOrder: execution.recorder.serialOrder,
    clockMovedUnderLease: execution.recorder.clockMovedUnderLease,
  }
}

describe('the checkers on simulated runs', () => {
  for (const workload of ['commands', 'transactions', 'swarm']) {
    it(`the correct executor passes linearizability and the invariants (${workload}, 30 seeds)`, async () => {
      let judged = 0
      for (let seed = 1; seed <= 30; seed++) {
        const run = await recordedRun(workload, 'correct', seed)
        expect([...(await linearizability.check(run)), ...(await workloadInvariants.check(run))]).toEqual([])
        judged += run.history.length
      }
      expect(judged).toBeGreaterThan(300)
    })
  }

  it('exec-unlocked (EXEC not atomic) is caught by linearizability alone, naming operations and keys', async () => {
    let caught = 0
    for (let seed = 1; seed <= 20; seed++) {
      const run = await recordedRun('transactions', 'exec-unlocked', seed)
      const found = await linearizability.check(run)
      for (const violation of found) {
        expect(violation.kind).toBe('linearizability')
        expect(violation.operations.length).toBeGreaterThan(0)
        expect(violation.keys.length).toBeGreaterThan(0)
        expect(violation.clients.length).toBeGreaterThan(0)
      }
      if (found.length > 0) caught++
    }
    expect(caught).toBeGreaterThan(5)
  })
})
