/**
 * The simulator on scripts: the mutants that break script atomicity are caught. These need EVAL in the command table;
 * on a build without it, the script workloads refuse to run, which is asserted instead.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeReport } from '../../sim/report/json.ts'
import { DEFAULT_CONFIG, replayExecution, runSeed, type SimConfig } from '../../sim/run.ts'
import { hasCommand, WorkloadError } from '../../sim/workloads.ts'

const scripting = hasCommand('eval')

async function kinds(config: Omit<SimConfig, 'seed'>, seeds: number): Promise<string[]> {
  const out: string[] = []
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runSeed({ ...config, seed })
    out.push(...new Set(r.violations.map((v) => v.kind)))
  }
  return out
}

// Registered according to the build (not skipped): which of the two suites applies is decided by the command table.
if (scripting)
  describe('script mutants (EVAL present)', () => {
    const counter = { ...DEFAULT_CONFIG, workload: 'counter', strategy: 'random' as const }

    it('the correct executor passes the script workloads', async () => {
      expect(await kinds(counter, 15)).toEqual([])
      expect(await kinds({ ...counter, workload: 'scripts' }, 10)).toEqual([])
    })

    it('lock-leak-on-error ends in a deadlock, and the report replays to the same deadlock', async () => {
      let found = null
      for (let seed = 1; seed <= 30 && !found; seed++) {
        const r = await runSeed({ ...counter, seed, mutant: 'lock-leak-on-error' })
        if (r.violations[0]?.kind === 'deadlock') found = r
      }
      expect(found).not.toBeNull()
      const execution = await replayExecution(found!.scenario, found!.mutant, found!.tape, found!.maxSteps)
      expect(execution.traceHash).toBe(found!.traceHash)
      expect(execution.outcome.kind).toBe('deadlock')
      const { report } = writeReport(mkdtempSync(join(tmpdir(), 'redsim-')), found!, execution, {})
      expect(report.violation.message).toMatch(/held by client#\d+ which can no longer release it/)
    })

    it('per-call-lock (the seed race) is caught by the no-interleaved-writes check', async () => {
      expect(await kinds({ ...counter, mutant: 'per-call-lock' }, 20)).toContain('interleaved-writes')
    })

    it('evalsha-unlocked is caught too', async () => {
      expect(await kinds({ ...counter, mutant: 'evalsha-unlocked' }, 30)).toContain('interleaved-writes')
    })

    it('watch-blind-to-scripts is caught by the witness check (an EXEC that should have aborted ran)', async () => {
      expect(await kinds({ ...counter, mutant: 'watch-blind-to-scripts' }, 30)).toContain('witness-mismatch')
    })
  })

if (!scripting)
  describe('script workloads (EVAL absent)', () => {
    it('refuse to run with a clear error', async () => {
      await expect(runSeed({ ...DEFAULT_CONFIG, seed: 1, workload: 'counter' })).rejects.toThrow(WorkloadError)
    })
  })
