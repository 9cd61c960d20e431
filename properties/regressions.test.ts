/**
 * The regression corpus: every race report kept under fixtures/regressions/ is replayed. On its own executor (a
 * mutant) it must still show its violation; on the correct executor the same scenario and schedule must pass every
 * check. Refresh the corpus with `npx tsx properties/save-regressions.ts` (the replays check verdicts, not trace
 * hashes, so ordinary engine changes do not invalidate it).
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MUTANT_NAMES } from '../sim/mutants.ts'
import { readReport } from '../sim/report/json.ts'
import { replayExecution } from '../sim/run.ts'

const CORPUS = fileURLToPath(new URL('../fixtures/regressions/', import.meta.url))
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.json'))
  .sort()

describe('regression corpus (fixtures/regressions)', () => {
  it('holds at least one small report per mutant', () => {
    const reports = files.map((f) => readReport(join(CORPUS, f)))
    for (const mutant of MUTANT_NAMES) {
      const mine = reports.filter((r) => r.mutant === mutant)
      expect(mine.length, `no regression for ${mutant}`).toBeGreaterThan(0)
      expect(Math.min(...mine.map((r) => r.scenario.clients))).toBeLessThanOrEqual(2)
    }
  })

  for (const file of files) {
    it(`${file}: violation on its mutant, pass on the correct executor`, async () => {
      const report = readReport(join(CORPUS, file))
      expect(report.mutant).not.toBe('correct')
      const broken = await replayExecution(report.scenario, report.mutant, report.tape, report.maxSteps, false)
      expect(broken.violations.map((v) => v.kind)).toContain(report.kind)
      const correct = await replayExecution(report.scenario, 'correct', report.tape, report.maxSteps, false)
      expect(correct.violations).toEqual([])
    })
  }
})
