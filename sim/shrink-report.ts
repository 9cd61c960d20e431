/**
 * Race reports for shrunk runs: the simulator's ordinary report format (sim/report/json.ts), so `npm run sim --
 * --replay` reproduces them like any other, plus a `shrunk` field saying how big the run was before shrinking.
 */
import { reportedViolations, writeReport } from './report/json.ts'
import type { SeedResult, SimConfig } from './run.ts'
import type { ShrinkResult } from './shrink.ts'

export interface ShrunkReportSource {
  seed: number
  /** The strategy that found the original run (e.g. `pct(d=3)`, `fast-check`). */
  strategy: string
  workload: string
  config: Partial<SimConfig>
}

/** Writes `<dir>/<name>.json` and `.html` (default name `<seed>-<kind>-shrunk`); returns the JSON path. */
export function writeShrunkReport(
  dir: string,
  source: ShrunkReportSource,
  shrunk: ShrinkResult,
  name?: string,
): { json: string; kind: string } {
  const { execution } = shrunk
  const result: SeedResult = {
    seed: source.seed,
    strategy: source.strategy,
    workload: source.workload,
    mutant: shrunk.case.mutant,
    clients: shrunk.case.scenario.clients,
    operations: execution.recorder.history.length,
    steps: execution.steps,
    decisions: execution.tape.length,
    executions: 1,
    verdict: 'violation',
    violations: execution.violations,
    traceHash: execution.traceHash,
    explorationHash: execution.traceHash,
    tape: execution.tape,
    maxSteps: shrunk.case.maxSteps,
    scenario: shrunk.case.scenario,
  }
  // Named as the report heads it (the most harmful violation, sim/report/headline.ts).
  const kind = reportedViolations(result, execution)[0].kind
  const { json } = writeReport(dir, result, execution, source.config, {
    name: name ?? `${source.seed}-${kind}-shrunk`,
    shrunk: { from: shrunk.before, to: shrunk.after, executions: shrunk.executions },
  })
  return { json, kind }
}
