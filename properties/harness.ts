/**
 * Running simulator properties under fast-check: a generated case (workload and schedule) becomes one simulator
 * execution on the real executor (or a mutant), and a property holds when the run has no violation of the kinds it
 * is about. A failing case, once fast-check has shrunk it, is shrunk further by sim/shrink.ts and written as an
 * ordinary race report (reports/ by default), with the `npm run sim -- --replay` command that reproduces it.
 *
 * Budget: a fixed seed and a fixed number of runs per property, so `npm run test:properties` is the same every time.
 * REDSIM_PROPERTY_SCALE multiplies the runs (nightly jobs, long local runs); REDSIM_PROPERTY_SEED changes the seed.
 */
import fc from 'fast-check'
import type { Violation } from '../sim/checkers/types.ts'
import { variantNamed } from '../sim/mutants.ts'
import { defaultMaxSteps, type Execution, execute } from '../sim/run.ts'
import { type ShrinkResult, shrinkCase } from '../sim/shrink.ts'
import { writeShrunkReport } from '../sim/shrink-report.ts'
import {
  DEFAULT_SHAPE,
  type PropertyWorkload,
  schedule,
  toScenario,
  type WorkloadShape,
  workload,
} from './arbitraries.ts'
import { describeSchedule, type Schedule, strategyOf } from './schedule.ts'

export interface PropertyCase {
  workload: PropertyWorkload
  schedule: Schedule
}

export function propertyCase(shape: WorkloadShape = DEFAULT_SHAPE): fc.Arbitrary<PropertyCase> {
  return fc.record({ workload: workload(shape), schedule })
}

/** The properties, each as the violation kinds that falsify it (declared by the checkers, sim/checkers/registry.ts). */
export { CATCH_KINDS, PROPERTIES } from '../sim/checkers/registry.ts'
export type { PropertyName } from '../sim/checkers/properties.ts'

function envNumber(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${text}'`)
  return n
}

export const BUDGET = {
  seed: Math.trunc(envNumber('REDSIM_PROPERTY_SEED', 20261126)),
  scale: envNumber('REDSIM_PROPERTY_SCALE', 1),
}

/** Each named check gets its own seed (derived from the budget's), so different properties see different cases. */
export function seedFor(name: string): number {
  let h = 2166136261
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619)
  return (BUDGET.seed ^ h) >>> 1
}

/** Runs for a property whose base budget is `base` runs. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * BUDGET.scale))
}

export const REPORT_DIR = process.env.REDSIM_REPORT_DIR || 'reports'

/** One simulator execution of a generated case. */
export function runCase(c: PropertyCase, mutant = 'correct', full = false): Promise<Execution> {
  const scenario = toScenario(c.workload)
  return execute({
    scenario,
    strategy: strategyOf(c.schedule),
    variant: variantNamed(mutant),
    maxSteps: defaultMaxSteps(scenario),
    full,
  })
}

export function offending(violations: readonly Violation[], kinds: ReadonlySet<string>): Violation[] {
  return violations.filter((v) => kinds.has(v.kind))
}

export interface PropertyFailure {
  case: PropertyCase
  violations: Violation[]
  shrunk: ShrinkResult | null
  /** The race report of the shrunk run (or of the case itself when it would not shrink). */
  report: string
  replay: string
  /** fast-check's own replay parameters. */
  fcSeed: number
  fcPath: string | undefined
  numRuns: number
}

export interface CheckOptions {
  mutant?: string
  numRuns: number
  shape?: WorkloadShape
  reportDir?: string
  /** Name for the report file (default derived from the property and executor). */
  name: string
}

/**
 * Checks that no generated case produces a violation of `kinds`. Returns null when the property held for every run,
 * else the (twice) shrunk failure, already written as a race report.
 */
export async function checkProperty(
  kinds: ReadonlySet<string>,
  options: CheckOptions,
): Promise<PropertyFailure | null> {
  const mutant = options.mutant ?? 'correct'
  const property = fc.asyncProperty(propertyCase(options.shape), async (c) => {
    const execution = await runCase(c, mutant)
    return offending(execution.violations, kinds).length === 0
  })
  const result = await fc.check(property, { seed: seedFor(options.name), numRuns: options.numRuns })
  if (!result.failed || !result.counterexample) {
    if (result.failed) throw result.errorInstance ?? new Error(`property ${options.name} errored`)
    return null
  }
  const [failing] = result.counterexample
  return reportFailure(failing, kinds, {
    mutant,
    name: options.name,
    reportDir: options.reportDir ?? REPORT_DIR,
    fcSeed: result.seed,
    fcPath: result.counterexamplePath ?? undefined,
    numRuns: options.numRuns,
  })
}

/** Shrinks a failing case with sim/shrink.ts and writes its race report. */
export async function reportFailure(
  failing: PropertyCase,
  kinds: ReadonlySet<string>,
  options: { mutant: string; name: string; reportDir: string; fcSeed: number; fcPath?: string; numRuns: number },
): Promise<PropertyFailure> {
  const execution = await runCase(failing, options.mutant)
  const scenario = toScenario(failing.workload)
  const accept = (violations: readonly Violation[]) => offending(violations, kinds).length > 0
  const shrunk = await shrinkCase(
    { scenario, mutant: options.mutant, tape: execution.tape, maxSteps: defaultMaxSteps(scenario) },
    { accept },
  )
  const source = {
    seed: options.fcSeed,
    strategy: `fast-check(${describeSchedule(failing.schedule)})`,
    workload: 'properties',
    config: { workload: 'properties', mutant: options.mutant, seed: options.fcSeed },
  }
  const name = `${options.name}-${options.fcSeed}`
  let report: string
  if (shrunk) report = writeShrunkReport(options.reportDir, source, shrunk, name).json
  else {
    // Not expected (the case failed a moment ago and runs are deterministic), but never lose a failure.
    const full = await runCase(failing, options.mutant, true)
    const unshrunk: ShrinkResult = {
      case: { scenario, mutant: options.mutant, tape: full.tape, maxSteps: defaultMaxSteps(scenario) },
      execution: full,
      before: { clients: 0, operations: 0, commands: 0, faults: 0, timerEvents: 0, setup: 0, tape: 0, preemptions: 0 },
      after: { clients: 0, operations: 0, commands: 0, faults: 0, timerEvents: 0, setup: 0, tape: 0, preemptions: 0 },
      executions: 0,
    }
    report = writeShrunkReport(options.reportDir, source, unshrunk, name).json
  }
  return {
    case: failing,
    violations: offending(execution.violations, kinds),
    shrunk,
    report,
    replay: `npm run sim -- --replay ${report}`,
    fcSeed: options.fcSeed,
    fcPath: options.fcPath,
    numRuns: options.numRuns,
  }
}

/** The message a failing property test prints. */
export function describeFailure(property: string, failure: PropertyFailure): string {
  const v = failure.shrunk?.execution.violations[0] ?? failure.violations[0]
  const size = failure.shrunk?.after
  return [
    `property '${property}' failed: ${v.kind}: ${v.message}`,
    size
      ? `shrunk to ${size.clients} client(s), ${size.operations} operation(s), ${size.commands} command(s), ${size.preemptions} preemption(s)`
      : 'not shrunk',
    `race report: ${failure.report} (and .html)`,
    `reproduce:   ${failure.replay}`,
    `fast-check:  seed ${failure.fcSeed}, path ${failure.fcPath ?? '-'}, ${failure.numRuns} runs`,
  ].join('\n')
}
