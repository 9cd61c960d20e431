/**
 * Race reports, JSON side: everything needed to replay a violation exactly (version and commit, configuration, the
 * expanded scenario, the decision tape, the step budget) and everything needed to understand it (the violation, the
 * operations involved, the history, the execution log, the scheduling trace).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Violation } from '../checkers/types.ts'
import type { Access, HistoryOperation, Span } from '../recorder.ts'
import type { Execution, SeedResult, SimConfig } from '../run.ts'
import type { TraceEntry } from '../scheduler.ts'
import type { CaseSize } from '../shrink.ts'
import { redsimVersion } from '../version.ts'
import type { Scenario } from '../workloads.ts'
import { presentViolations } from './headline.ts'
import { renderHtmlReport } from './html.ts'

export const REPORT_FORMAT = 'redsim-race-report'
export const REPORT_FORMAT_VERSION = 1

export interface RaceReport {
  format: typeof REPORT_FORMAT
  formatVersion: number
  redsim: { version: string; commit: string }
  /** The command that reproduces this run. */
  replay: string
  kind: string
  seed: number
  /** The strategy that found it (the tape replays it whatever the strategy). */
  strategy: string
  mutant: string
  config: Partial<SimConfig>
  maxSteps: number
  scenario: Scenario
  /**
   * SHA-256 of the scenario as written (programs, setup, faults, timer, config and script sources): `--replay`
   * refuses a report whose scenario no longer matches it. Reports written before it existed have none.
   */
  scenarioHash?: string
  tape: number[]
  traceHash: string
  outcome: { kind: string; blocked?: number[]; steps?: number; error?: string }
  violation: Violation
  violations: Violation[]
  /** The history operations the violation names. */
  involved: HistoryOperation[]
  summary: { steps: number; choices: number; operations: number; clients: number }
  history: HistoryOperation[]
  log: Access[]
  spans: Span[]
  trace: TraceEntry[]
  /** Present when the run is a shrunk version of a found one (sim/shrink.ts): how big it was, how big it is now. */
  shrunk?: ShrinkSummary
}

export interface ShrinkSummary {
  from: CaseSize
  to: CaseSize
  /** Executions the shrinker spent. */
  executions: number
}

/** The run's violations as its report shows them: most harmful first, named for readers (headline.ts). */
export function reportedViolations(result: SeedResult, execution: Execution): Violation[] {
  const found = execution.violations.length > 0 ? execution.violations : result.violations
  return presentViolations(found, execution.recorder.log, result.scenario?.scripts)
}

export interface ReportOptions {
  /** File name without extension (default `<seed>-<kind>`). */
  name?: string
  shrunk?: ShrinkSummary
}

export function buildReport(
  result: SeedResult,
  execution: Execution,
  config: Partial<SimConfig>,
  reportPath: string,
  shrunk?: ShrinkSummary,
): RaceReport {
  const violations = reportedViolations(result, execution)
  const violation = violations[0]
  const involvedIds = new Set(violation.operations)
  const history = execution.recorder.history
  const outcome = execution.outcome
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    redsim: redsimVersion(),
    replay: `npm run sim -- --replay ${reportPath}`,
    kind: violation.kind,
    seed: result.seed,
    strategy: result.strategy,
    mutant: result.mutant,
    config,
    maxSteps: result.maxSteps,
    scenario: result.scenario,
    scenarioHash: scenarioHash(result.scenario),
    tape: execution.tape,
    traceHash: execution.traceHash,
    outcome:
      outcome.kind === 'error'
        ? {
            kind: 'error',
            error:
              outcome.error instanceof Error ? (outcome.error.stack ?? outcome.error.message) : String(outcome.error),
          }
        : outcome,
    violation,
    violations,
    involved: history.filter((op) => involvedIds.has(op.id)),
    summary: {
      steps: execution.steps,
      choices: execution.tape.length,
      operations: history.length,
      clients: result.clients,
    },
    history,
    log: execution.recorder.log,
    spans: execution.recorder.spans,
    trace: execution.trace ?? [],
    ...(shrunk ? { shrunk } : {}),
  }
}

/** Writes `<dir>/<seed>-<kind>.json` and `.html` (or `<dir>/<name>.*`); returns the JSON path. */
export function writeReport(
  dir: string,
  result: SeedResult,
  execution: Execution,
  config: Partial<SimConfig>,
  options: ReportOptions = {},
): { json: string; html: string; report: RaceReport } {
  mkdirSync(dir, { recursive: true })
  const kind = reportedViolations(result, execution)[0].kind
  const base = join(dir, options.name ?? `${result.seed}-${kind}`)
  const report = buildReport(result, execution, config, `${base}.json`, options.shrunk)
  writeFileSync(`${base}.json`, reportJson(report))
  writeFileSync(`${base}.html`, renderHtmlReport(report))
  return { json: `${base}.json`, html: `${base}.html`, report }
}

/** One top-level field per line, and one line per element of the long lists (history, log, trace): diffable, greppable. */
export function reportJson(report: RaceReport): string {
  const lines = Object.entries(report).map(([key, value]) => {
    const name = JSON.stringify(key)
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
      return `  ${name}: [\n${value.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]`
    }
    return `  ${name}: ${JSON.stringify(value)}`
  })
  return `{\n${lines.join(',\n')}\n}\n`
}

export class ReportError extends Error {}

/** The hash `scenarioHash` holds: over the scenario's JSON, whose key order a JSON round trip keeps. */
export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex')
}

const OPERATION_KINDS = new Set(['command', 'multi', 'watch', 'script'])

/**
 * Checks that a report's scenario is the one it was recorded with (its hash) and made only of operations this
 * simulator knows; a ReportError says what is wrong in one line.
 */
export function verifyScenario(path: string, report: RaceReport): void {
  if (report.scenarioHash !== undefined && report.scenarioHash !== scenarioHash(report.scenario)) {
    throw new ReportError(
      `${path}: scenario changed since the report was written (its programs, setup or script sources no longer ` +
        'match its scenarioHash); a replay would not be of the recorded run',
    )
  }
  const programs = report.scenario.programs
  if (!Array.isArray(programs)) throw new ReportError(`${path}: the scenario has no client programs`)
  for (let c = 0; c < programs.length; c++) {
    for (const op of programs[c]) {
      if (!OPERATION_KINDS.has((op as { kind?: string })?.kind ?? '')) {
        throw new ReportError(
          `${path}: unknown operation kind '${(op as { kind?: string })?.kind}' in client ${c + 1}'s program ` +
            `(known: ${[...OPERATION_KINDS].join(', ')})`,
        )
      }
    }
  }
}

/** Reads and validates a report for replay. */
export function readReport(path: string): RaceReport {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ReportError(`cannot read ${path}: ${(err as Error).message}`)
  }
  let report: RaceReport
  try {
    report = JSON.parse(text)
  } catch (err) {
    throw new ReportError(`${path} is not JSON: ${(err as Error).message}`)
  }
  if (report?.format !== REPORT_FORMAT) throw new ReportError(`${path} is not a redsim race report`)
  if (report.formatVersion !== REPORT_FORMAT_VERSION) {
    throw new ReportError(
      `${path} has report format ${report.formatVersion}; this redsim reads ${REPORT_FORMAT_VERSION}`,
    )
  }
  if (!Array.isArray(report.tape) || !report.scenario || typeof report.maxSteps !== 'number') {
    throw new ReportError(`${path} lacks the tape, scenario or step budget needed to replay it`)
  }
  return report
}
