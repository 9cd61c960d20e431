/**
 * `simulate`: the user's own code, with their real client library, under the deterministic scheduler. Each seed is
 * one run (setup, then `clients` concurrent copies of `client`, then `check`; see run.ts); the first failing seed is
 * run again to prove it deterministic, shrunk (fewer clients, fewer preemptions), written as a race report, and
 * replayed from that report, which must give the same trace hash. `replay` (or the REDSIM_REPLAY environment
 * variable) re-runs a report instead of searching.
 */
import { TapeStrategy } from '../decision-tape.ts'
import type { ClientLibrary } from './client-libraries.ts'
import { buildUserReport, readUserReport, reportBase, type ShrinkSummary, writeUserReport } from './report.ts'
import {
  type FailureKind,
  faultBudget,
  type RunOptions,
  type RunResult,
  runOnce,
  type UserCode,
  type UserFaults,
} from './run.ts'
import type { Model } from '../linearizability/index.ts'
import type { UserOperation } from './operations.ts'
import { shrinkFailure } from './shrink.ts'
import { searchStrategy } from './strategy.ts'

export type { UserOperation } from './operations.ts'
export type { SimulationContext, UserFaults } from './run.ts'

export interface SimulateOptions<R = any> {
  /** First seed (default 1); seeds seed .. seed + runs - 1. */
  seed?: number
  /** How many seeds (default 100). */
  runs?: number
  /** Explicit seeds, instead of seed and runs. */
  seeds?: readonly number[]
  /** How many copies of `client` run concurrently (default 2). */
  clients?: number
  /** Runs first, alone. */
  setup?: UserCode<R>
  /** The user's code: each copy gets its own connection. */
  client: UserCode<R>
  /** Runs after every client finished; throw (or return false) on a violation. */
  check?: UserCode<R>
  /**
   * Called after every scheduling step while the clients run, with a read-only view of the server
   * (`server.call('GET', 'k')` answers at once); throw (or return false) on a violation.
   */
  invariant?: RunOptions<R>['invariant']
  /**
   * A sequential specification (Porcupine's Model, as `redsim/linearizability` takes it) of the operations the
   * clients record with `ctx.operation(name, input, fn)`; the history is checked after the clients finish. Step
   * inputs are `{ name, input }`, outputs what `fn` resolved to.
   */
  model?: Model<any, UserOperation<any>, any>
  /** Default 'ioredis'. */
  clientLibrary?: ClientLibrary
  /** Options for the library's client (ioredis constructor, node-redis createClient). */
  libraryOptions?: Record<string, any>
  /** Server configuration as CONFIG SET takes it. */
  serverConfig?: Record<string, string>
  /**
   * Faults, at a low rate drawn from the seed (default none). `disconnects`: how many client connections may be cut
   * per run (the library sees a reset, packets in flight are lost, and what it does next, such as reconnecting and
   * resending, is part of the run). `stalls`: how many times a client may stall for `stallMs` virtual ms (default
   * 2000), a paused process as the server sees it: nothing from it, nothing to it, while time and the others go on.
   */
  faults?: UserFaults
  /** Scheduling steps per run before it counts as not terminating (default 20,000). */
  maxSteps?: number
  /** Names the report files (default 'simulation'). */
  name?: string
  /** Where reports go (default 'reports'). */
  reportDir?: string
  /** Shrink a failure (default true). */
  shrink?: boolean
  /** Run every seed twice and fail when the trace hashes differ (default: only the failing seed). */
  checkDeterminism?: boolean
  /**
   * A report to re-run instead of searching (also taken from the REDSIM_REPLAY environment variable, unless this is
   * `false`).
   */
  replay?: string | false
  /**
   * The command a failure message gives to reproduce a report (default: the `simulate({ replay })` form and the
   * REDSIM_REPLAY one); `redsim/vitest` names the test file and the test.
   */
  replayCommand?: (reportPath: string) => string
  /** What the run's inputs were (a property's arguments, as fast-check prints them): kept in the report and the message. */
  inputs?: string
}

export interface SimulationFailure {
  seed: number
  kind: FailureKind | 'nondeterminism'
  message: string
  /** Path of the JSON report (the HTML page is next to it). */
  report: string
  /** How to reproduce it. */
  replay: string
  traceHash: string
  clients: number
  preemptions: number
  /** The run as first found, when shrinking made it smaller. */
  shrunkFrom: ShrinkSummary | null
}

export interface SimulateResult {
  ok: boolean
  /** Runs made (searching; shrinking and replays not counted). */
  runs: number
  failure?: SimulationFailure
  /** With `replay`: the trace hash the report expects and the one the run gave. */
  replayed?: { expected: string; traceHash: string; matches: boolean }
}

const DEFAULT_MAX_STEPS = 20_000

function summary(run: RunResult): ShrinkSummary {
  return { clients: run.clients, seed: run.seed, steps: run.steps, preemptions: run.preemptions }
}

function defaultReplayLine(path: string): string {
  return `simulate({ ...sameOptions, replay: '${path}' })  or  REDSIM_REPLAY=${path} npx vitest run <test file> -t '<test name>'`
}

export async function simulate<R>(options: SimulateOptions<R>): Promise<SimulateResult> {
  const clientLibrary = options.clientLibrary ?? 'ioredis'
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
  const runOptions: RunOptions<R> = {
    clients: options.clients ?? 2,
    setup: options.setup,
    client: options.client,
    check: options.check,
    invariant: options.invariant,
    model: options.model,
    clientLibrary,
    libraryOptions: options.libraryOptions,
    serverConfig: options.serverConfig,
    maxSteps,
    faults: options.faults,
  }
  if (!(runOptions.clients >= 1 && Number.isInteger(runOptions.clients))) {
    throw new RangeError(`clients must be a positive integer, not ${options.clients}`)
  }
  const replay = options.replay === false ? undefined : (options.replay ?? process.env.REDSIM_REPLAY)
  if (replay) return replayReport(runOptions, replay, options.replayCommand ?? defaultReplayLine)

  const first = options.seed ?? 1
  const seeds = options.seeds ?? Array.from({ length: options.runs ?? 100 }, (_, i) => first + i)
  let runs = 0
  for (const seed of seeds) {
    runs++
    const run = await runOnce(runOptions, seed, searchStrategy(seed))
    // The failing seed is always run twice: a report must be reproducible before anyone is asked to read it.
    if (run.failure || options.checkDeterminism) {
      const again = await runOnce(runOptions, seed, searchStrategy(seed))
      if (again.traceHash !== run.traceHash) {
        const message =
          `seed ${seed} gave two different runs (trace hashes ${run.traceHash.slice(0, 16)} then ${again.traceHash.slice(0, 16)}): ` +
          'something in the code under test resumes outside the simulation (real I/O, a timer or clock captured before ' +
          'the simulation started, a shared module-level state between runs)'
        return { ok: false, runs, failure: report(run, options, runOptions, 'nondeterminism', message, null) }
      }
    }
    if (!run.failure) continue

    let final = run
    let shrunkFrom: ShrinkSummary | null = null
    if (options.shrink !== false) {
      const shrunk = await shrinkFailure(runOptions, run, { clientRuns: 40, preemptionRuns: 60 })
      if (shrunk.run !== run) {
        final = shrunk.run
        shrunkFrom = summary(run)
      }
    }
    const failure = report(
      final,
      options,
      { ...runOptions, clients: final.clients, faults: final.faults },
      final.failure!.kind,
      null,
      shrunkFrom,
    )
    // The report must replay to the same trace hash, or it is of no use to anyone.
    const check = await runOnce(
      { ...runOptions, clients: final.clients, faults: final.faults },
      final.seed,
      new TapeStrategy(final.tape),
    )
    if (check.traceHash !== final.traceHash) {
      failure.kind = 'nondeterminism'
      failure.message =
        `${failure.message}\n(but replaying the report gave trace hash ${check.traceHash.slice(0, 16)}, not ` +
        `${final.traceHash.slice(0, 16)}: the code under test is not deterministic under the simulation)`
    }
    return { ok: false, runs, failure }
  }
  return { ok: true, runs }
}

/** The faults a run was allowed, for the failure message. */
function faultText(run: RunResult): string {
  const { disconnects, stalls, stallMs } = run.faults
  return (
    (disconnects > 0 ? `, up to ${disconnects} disconnects` : '') +
    (stalls > 0 ? `, up to ${stalls} stalls of ${stallMs} ms` : '')
  )
}

/** Writes the report of a failing run and builds the failure with its message. */
function report<R>(
  run: RunResult,
  options: SimulateOptions<R>,
  runOptions: RunOptions<R>,
  kind: SimulationFailure['kind'],
  message: string | null,
  shrunkFrom: ShrinkSummary | null,
): SimulationFailure {
  const name = options.name ?? 'simulation'
  const base = reportBase(options.reportDir ?? 'reports', name, run.seed, kind)
  const path = `${base}.json`
  const replay = (options.replayCommand ?? defaultReplayLine)(path)
  const text = message ?? run.failure?.message ?? kind
  writeUserReport(
    base,
    buildUserReport(run, {
      name,
      clientLibrary: runOptions.clientLibrary,
      maxSteps: runOptions.maxSteps,
      replay,
      shrunkFrom,
      kind,
      message: text,
      inputs: options.inputs,
    }),
  )
  const shrunk = shrunkFrom
    ? `, shrunk from ${shrunkFrom.clients} clients and ${shrunkFrom.preemptions} preemptions (seed ${shrunkFrom.seed})`
    : ''
  const full =
    `${text}\n` +
    (options.inputs === undefined ? '' : `  inputs ${options.inputs}\n`) +
    `  seed ${run.seed}: ${run.clients} clients, ${run.preemptions} preemptions, ${run.steps} steps` +
    `${faultText(run)}${shrunk}\n` +
    `  report: ${path} (and ${base}.html)\n` +
    `  reproduce (trace hash ${run.traceHash.slice(0, 16)}): ${replay}`
  return {
    seed: run.seed,
    kind,
    message: full,
    report: path,
    replay,
    traceHash: run.traceHash,
    clients: run.clients,
    preemptions: run.preemptions,
    shrunkFrom,
  }
}

/** Re-runs a report's schedule: same seed, same client count, same tape; the trace hash must match. */
async function replayReport<R>(
  runOptions: RunOptions<R>,
  path: string,
  replayLine: (path: string) => string,
): Promise<SimulateResult> {
  const saved = readUserReport(path)
  const run = await runOnce(
    {
      ...runOptions,
      clients: saved.clients,
      maxSteps: saved.maxSteps,
      faults: saved.faults ? faultBudget(saved.faults) : runOptions.faults,
    },
    saved.seed,
    new TapeStrategy(saved.tape),
  )
  const replayed = { expected: saved.traceHash, traceHash: run.traceHash, matches: run.traceHash === saved.traceHash }
  // A report replayed on fixed code passes (with another trace hash): that is how a fix is checked.
  if (!run.failure) return { ok: true, runs: 1, replayed }
  const changed = replayed.matches
    ? ''
    : `\n  (the run differs from the report: trace hash ${run.traceHash.slice(0, 16)}, the report has ${saved.traceHash.slice(0, 16)}; the code or the options changed)`
  const same = replayed.matches ? `, trace hash ${run.traceHash.slice(0, 16)} as the report's` : ''
  const message = `${run.failure.message}${changed}\n  replayed ${path}${same}`
  return {
    ok: false,
    runs: 1,
    replayed,
    failure: {
      seed: saved.seed,
      kind: run.failure.kind,
      message,
      report: path,
      replay: replayLine(path),
      traceHash: run.traceHash,
      clients: saved.clients,
      preemptions: run.preemptions,
      shrunkFrom: saved.shrunkFrom,
    },
  }
}
