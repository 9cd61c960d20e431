/**
 * `redsim/sim`: the deterministic simulator as a library. Run one seed (`runSeed`) or many (`runBatch`, on worker
 * threads), replay a race report exactly (`readReport` + `replayExecution`), shrink a failing case, and reach the
 * pieces a run is made of: workloads and scenarios, scheduling strategies, checkers and the mutant executors that
 * prove the checkers see real bugs. `redsim sim` / `npm run sim` is a thin command line over this.
 */
export { CHECKERS, checkRun } from './checkers/index.ts'
export type { Checker, RecordedRun, Violation } from './checkers/types.ts'
export { main as simCli } from './cli.ts'
export { TapeStrategy } from './decision-tape.ts'
export { MUTANT_NAMES, MUTANTS, variantNamed } from './mutants.ts'
export { renderHtmlReport } from './report/html.ts'
export { type RaceReport, readReport, writeReport } from './report/json.ts'
export {
  DEFAULT_CONFIG,
  defaultMaxSteps,
  type Execution,
  execute,
  replayExecution,
  runSeed,
  runSeedTwice,
  type SeedResult,
  type SimConfig,
  scenarioFor,
} from './run.ts'
export { type ShrinkResult, shrinkCase } from './shrink.ts'
export { DfsExplorer } from './strategies/dfs.ts'
export { Pct } from './strategies/pct.ts'
export { RandomWalk } from './strategies/random.ts'
export type { StepView, Strategy, StrategyName } from './strategies/strategy.ts'
export { type BatchOptions, runBatch, type SeedSummary } from './workers.ts'
export {
  type SimulateOptions,
  type SimulateResult,
  type SimulationContext,
  type SimulationFailure,
  type UserOperation,
  simulate,
} from './user/simulate.ts'
export {
  buildScenario,
  type Operation,
  type Scenario,
  type WorkloadSpec,
  workloadSpec,
  workloads,
} from './workloads.ts'
