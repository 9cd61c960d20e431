/**
 * `npm run sim -- [options]`: the simulator's command line. A thin layer over sim/run.ts (one seed), sim/workers.ts
 * (many seeds) and sim/report/ (race reports). Exit codes: 0 every check held, 1 a violation (report written, or a
 * replay reproduced one), 2 bad usage.
 *
 * This is the only simulator file that reads the wall clock, and only to print how long things took.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { MUTANT_NAMES, variantNamed } from './mutants.ts'
import { presentViolations } from './report/headline.ts'
import { type RaceReport, readReport, ReportError, verifyScenario, writeReport } from './report/json.ts'
import { DEFAULT_CONFIG, replayExecution, scenarioFor, type SimConfig } from './run.ts'
import { shrinkCase } from './shrink.ts'
import { writeShrunkReport } from './shrink-report.ts'
import { STRATEGY_NAMES, type StrategyName } from './strategies/strategy.ts'
import { combineHashes } from './trace-hash.ts'
import { runBatch, type SeedSummary, defaultWorkers } from './workers.ts'
import {
  checkScriptsDir,
  isWorkloadPath,
  loadWorkloadFile,
  USER_SCRIPTS_ENV,
  WorkloadError,
  workloads,
} from './workloads.ts'

export interface CliIO {
  out(text: string): void
  err(text: string): void
  /** Whether stderr is a terminal (progress bar). */
  isTTY: boolean
  /** Where the progress bar draws (default process.stderr). */
  progressStream?: NodeJS.WritableStream
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
}

/** At most this many race reports are written per invocation by default (--max-reports); the rest are listed. */
const MAX_REPORTS = 20

/** Violations shrunk per invocation: the first one of each kind, up to this many (shrinking costs many runs). */
const MAX_SHRINKS = 3

const USAGE = `Usage: npm run sim -- [options]

Runs the real redsim executor with simulated clients under a seeded scheduler and checks every run.

  --seed N               first seed (default 1)
  --runs K               run seeds N .. N+K-1 (default 1); a progress bar shows on a terminal
  --workers W            worker threads for --runs (default: one per core)
  --shard i/n            only seeds whose index in the range is i modulo n (CI matrices, several machines)
  --strategy S           random | pct | dfs | portfolio (default portfolio: rotates across seeds)
  --depth d              PCT bug depth d (default 3; portfolio uses 2 and 3); for dfs, the preemption bound (default 2)
  --clients C            simulated clients (default: drawn from the seed)
  --ops O                operations per client (default: drawn from the seed)
  --keys K               keys per key pool (default: drawn from the seed)
  --workload NAME|FILE   ${[...workloads().keys()].join(' | ')} (default swarm), or a recipe file of
                         your own (a path, e.g. ./my-workload.json; the format of fixtures/workloads/*.json)
  --scripts DIR          a directory of your own .lua scripts that --workload may name (by file name)
  --faults on|off        planned disconnects (default on, at a rate drawn from the seed)
  --mutant NAME          run a deliberately broken executor: ${MUTANT_NAMES.join(' | ')}
  --replay FILE          re-run a race report exactly (same trace hash); exits 1 when the violation reproduces
  --report-dir DIR       where race reports go (default reports/); checked before the run starts
  --max-reports N        write at most N race reports (default ${MAX_REPORTS}); every failing seed is listed
  --json                 print one machine-readable summary object on stdout
  --check-determinism    run each seed twice and fail if the trace hashes differ
  --no-shrink            do not shrink violations (by default the first of each kind, up to ${MAX_SHRINKS}, is shrunk
                         to a smaller scenario and schedule and reported as <seed>-<kind>-shrunk.json)
  --help                 this text

Exit status: 0 every check held, 1 a violation was found (reports written), 2 bad usage.
`

class UsageError extends Error {}

interface CliOptions {
  config: Omit<SimConfig, 'seed'>
  seed: number
  runs: number
  workers: number
  shard: { index: number; count: number } | null
  reportDir: string
  maxReports: number
  json: boolean
  checkDeterminism: boolean
  replay: string | null
  shrink: boolean
}

function integer(
  name: string,
  text: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name} needs an integer, got '${text}'`)
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${text}`)
  }
  return n
}

/** Options whose value is an integer: a negative one after a space would read as an option of its own. */
const INTEGER_OPTIONS = new Set(['seed', 'runs', 'workers', 'depth', 'clients', 'ops', 'keys', 'max-reports'])

/** `--seed -1` as `--seed=-1`, so that it gets the range message rather than parseArgs's "ambiguous" one. */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const name = /^--([a-z-]+)$/.exec(args[i])?.[1]
    if (name && INTEGER_OPTIONS.has(name) && /^-\d/.test(args[i + 1] ?? '')) out.push(`--${name}=${args[++i]}`)
    else out.push(args[i])
  }
  return out
}

function parse(rawArgs: string[]): CliOptions | 'help' {
  const args = joinNegativeValues(rawArgs)
  let values: Record<string, string | boolean | undefined>
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        runs: { type: 'string' },
        workers: { type: 'string' },
        shard: { type: 'string' },
        strategy: { type: 'string' },
        depth: { type: 'string' },
        clients: { type: 'string' },
        ops: { type: 'string' },
        keys: { type: 'string' },
        workload: { type: 'string' },
        scripts: { type: 'string' },
        faults: { type: 'string' },
        mutant: { type: 'string' },
        replay: { type: 'string' },
        'report-dir': { type: 'string' },
        'max-reports': { type: 'string' },
        json: { type: 'boolean' },
        'check-determinism': { type: 'boolean' },
        'no-shrink': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, ' '))
  }
  if (values.help) return 'help'
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const str = (name: string) => values[name] as string | undefined

  const strategy = str('strategy') ?? DEFAULT_CONFIG.strategy
  if (!STRATEGY_NAMES.includes(strategy as StrategyName)) {
    throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}, got '${strategy}'`)
  }
  const depth = integer('depth', str('depth'), 0, 64)
  if (depth !== undefined && strategy === 'random') {
    throw new UsageError('--depth applies to pct, dfs and portfolio; the random strategy has no depth')
  }
  if (depth === 0 && (strategy === 'pct' || strategy === 'portfolio')) {
    throw new UsageError('--depth must be at least 1 for PCT (d=1 means no priority change)')
  }
  const scripts = str('scripts')
  if (scripts !== undefined) {
    try {
      checkScriptsDir(scripts)
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    // Read by sim/workloads.ts here and in every worker thread (which copies the environment when it starts).
    process.env[USER_SCRIPTS_ENV] = resolve(scripts)
  }
  let workload = str('workload') ?? DEFAULT_CONFIG.workload
  if (isWorkloadPath(workload)) {
    try {
      loadWorkloadFile(workload)
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    // Absolute, so that the workers and a report's summary name the same file whatever their directory.
    workload = resolve(workload)
  } else if (!workloads().has(workload)) {
    throw new UsageError(`unknown --workload '${workload}' (known: ${[...workloads().keys()].join(', ')})`)
  }
  const faults = str('faults') ?? 'on'
  if (faults !== 'on' && faults !== 'off') throw new UsageError(`--faults must be on or off, got '${faults}'`)
  const mutant = str('mutant') ?? 'correct'
  try {
    variantNamed(mutant)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  let shard: CliOptions['shard'] = null
  const shardText = str('shard')
  if (shardText !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shardText)
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
      throw new UsageError(`--shard must be i/n with 0 <= i < n, got '${shardText}'`)
    }
    shard = { index: Number(m[1]), count: Number(m[2]) }
  }
  const replay = str('replay') ?? null
  if (replay !== null) {
    const shaping = [
      'seed',
      'runs',
      'shard',
      'strategy',
      'depth',
      'clients',
      'ops',
      'keys',
      'workload',
      'scripts',
      'faults',
      'mutant',
    ]
    const clash = shaping.find((name) => values[name] !== undefined)
    if (clash) throw new UsageError(`--replay re-runs a report exactly; it cannot be combined with --${clash}`)
    if (values['check-determinism']) throw new UsageError('--replay cannot be combined with --check-determinism')
  }
  const runs = integer('runs', str('runs'), 1) ?? 1
  return {
    config: {
      strategy: strategy as StrategyName,
      depth,
      workload,
      clients: integer('clients', str('clients'), 1, 64),
      ops: integer('ops', str('ops'), 0, 100_000),
      keys: integer('keys', str('keys'), 1, 10_000),
      faults: faults === 'on',
      mutant,
    },
    seed: integer('seed', str('seed'), 0) ?? 1,
    runs,
    workers: integer('workers', str('workers'), 1, 1024) ?? (runs > 1 ? defaultWorkers() : 1),
    shard,
    reportDir: str('report-dir') ?? 'reports',
    maxReports: integer('max-reports', str('max-reports'), 0) ?? MAX_REPORTS,
    json: Boolean(values.json),
    checkDeterminism: Boolean(values['check-determinism']),
    replay,
    shrink: !values['no-shrink'],
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US')
}

export async function main(args: string[], io: CliIO = processIO): Promise<number> {
  let options: CliOptions | 'help'
  try {
    options = parse(args)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`redsim sim: ${err.message}\nRun 'npm run sim -- --help' for the options.\n`)
    return 2
  }
  if (options === 'help') {
    io.out(USAGE)
    return 0
  }
  return options.replay !== null ? replay(options, io) : simulate(options, io)
}

async function replay(options: CliOptions, io: CliIO): Promise<number> {
  const started = performance.now()
  let report: ReturnType<typeof readReport>
  try {
    report = readReport(options.replay!)
    verifyScenario(options.replay!, report)
    variantNamed(report.mutant)
  } catch (err) {
    if (!(err instanceof ReportError) && !(err instanceof Error && err.message.startsWith('unknown mutant'))) throw err
    io.err(`redsim sim: ${(err as Error).message}\n`)
    return 2
  }
  const execution = await replayExecution(report.scenario, report.mutant, report.tape, report.maxSteps)
  const same = execution.traceHash === report.traceHash
  const reproduced = execution.violations.length > 0
  const elapsed = performance.now() - started
  if (options.json) {
    io.out(
      `${JSON.stringify({
        replay: options.replay,
        seed: report.seed,
        kind: report.kind,
        traceHash: execution.traceHash,
        recordedTraceHash: report.traceHash,
        sameTrace: same,
        reproduced,
        violations: execution.violations,
        steps: execution.steps,
        elapsedMs: Math.round(elapsed),
        exitCode: reproduced ? 1 : 0,
      })}\n`,
    )
  } else {
    io.out(
      `replayed ${options.replay}: seed ${report.seed}, ${report.strategy}, executor ${report.mutant}, ` +
        `${report.scenario.clients} clients, ${execution.steps} steps\n` +
        `trace ${execution.traceHash} ${same ? '(same as recorded)' : `DIFFERS from recorded ${report.traceHash}`}\n` +
        (reproduced
          ? `verdict VIOLATION ${headlineOf(execution.violations, execution.recorder.log, report.scenario)}\n`
          : 'verdict pass: the recorded violation did not reproduce\n') +
        `elapsed ${elapsed.toFixed(0)} ms\n`,
    )
  }
  return reproduced ? 1 : 0
}

async function simulate(options: CliOptions, io: CliIO): Promise<number> {
  const started = performance.now()
  const { config } = options
  const seeds: number[] = []
  for (let i = 0; i < options.runs; i++) {
    if (!options.shard || i % options.shard.count === options.shard.index) seeds.push(options.seed + i)
  }
  // Reports must be writable before hours of seeds are spent finding something to put in them.
  const reportDirProblem = unwritableDir(options.reportDir)
  if (reportDirProblem) {
    io.err(`redsim sim: --report-dir ${options.reportDir}: ${reportDirProblem}\n`)
    return 2
  }
  // A workload this build cannot run (e.g. scripts before EVAL exists) is a usage error, found before any work.
  try {
    if (seeds.length > 0) scenarioFor({ ...config, seed: seeds[0] })
  } catch (err) {
    if (!(err instanceof WorkloadError)) throw err
    io.err(`redsim sim: ${err.message}\n`)
    return 2
  }

  const progress = await progressBar(io, options, seeds.length)
  let violationsSoFar = 0
  const results = await runBatch({
    config,
    seeds,
    workers: options.workers,
    checkDeterminism: options.checkDeterminism,
    onResult: (result) => {
      if (result.verdict === 'violation') violationsSoFar++
      progress?.increment(1, { violations: violationsSoFar })
    },
  })
  progress?.stop()

  const failed = results.filter((r) => r.verdict === 'violation')
  const reports: Array<{
    seed: number
    kind: string
    message: string
    report: string | null
    shrunk?: { report: string; clients: number; operations: number; commands: number; preemptions: number }
  }> = []
  const shrunkKinds = new Set<string>()
  for (const result of failed) {
    let path: string | null = null
    let written: RaceReport | null = null
    if (reports.length < options.maxReports && result.scenario && result.tape) {
      ;({ json: path, report: written } = await reportFor(result, options))
    }
    // The report's headline (the most harmful violation, named for readers) when there is a report.
    const headline = written?.violation ?? presentViolations(result.violations, undefined, result.scenario?.scripts)[0]
    const kind = headline.kind
    const entry: (typeof reports)[number] = {
      seed: result.seed,
      kind,
      message: headline.message,
      report: path,
    }
    if (
      path &&
      options.shrink &&
      shrunkKinds.size < MAX_SHRINKS &&
      !shrunkKinds.has(kind) &&
      kind !== 'nondeterminism'
    ) {
      shrunkKinds.add(kind)
      entry.shrunk = await shrunkReportFor(result, options)
    }
    reports.push(entry)
  }
  const elapsed = performance.now() - started
  const steps = results.reduce((n, r) => n + r.steps, 0)
  const choices = results.reduce((n, r) => n + r.decisions, 0)
  const operations = results.reduce((n, r) => n + r.operations, 0)
  const traceHash =
    results.length === 1 ? results[0].explorationHash : combineHashes(results.map((r) => r.explorationHash))
  const exitCode = failed.length > 0 ? 1 : 0

  if (options.json) {
    const single = results.length === 1 ? results[0] : null
    io.out(
      `${JSON.stringify({
        seed: options.seed,
        runs: options.runs,
        shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
        seeds: results.length,
        strategy: single ? single.strategy : config.strategy,
        workload: config.workload,
        mutant: config.mutant,
        workers: Math.min(options.workers, Math.max(1, seeds.length)),
        checkDeterminism: options.checkDeterminism,
        clients: single?.clients,
        passed: results.length - failed.length,
        violations: reports,
        operations,
        steps,
        choices,
        verdict: exitCode === 0 ? 'pass' : 'violation',
        traceHash,
        elapsedMs: Math.round(elapsed),
        exitCode,
      })}\n`,
    )
    return exitCode
  }

  const lines: string[] = []
  if (results.length === 1) {
    const r = results[0]
    lines.push(
      `seed ${r.seed} · strategy ${r.strategy} · workload ${r.workload} · executor ${r.mutant}`,
      `clients ${r.clients} · operations ${r.operations} · steps ${fmt(r.steps)} (${fmt(r.decisions)} choices)` +
        (r.executions > 1 ? ` over ${r.executions} executions` : ''),
      `verdict ${r.verdict === 'pass' ? 'pass' : `VIOLATION ${reports[0].kind}: ${reports[0].message}`}`,
      `trace ${r.explorationHash}`,
    )
  } else {
    const shard = options.shard ? ` shard ${options.shard.index}/${options.shard.count}` : ''
    lines.push(
      `seeds ${options.seed}..${options.seed + options.runs - 1}${shard}: ${fmt(results.length)} runs on ${Math.min(options.workers, seeds.length)} worker(s)` +
        ` · strategy ${config.strategy} · workload ${config.workload} · executor ${config.mutant}` +
        (options.checkDeterminism ? ' · each seed run twice' : ''),
      `passed ${fmt(results.length - failed.length)} · violations ${fmt(failed.length)}`,
      `operations ${fmt(operations)} · steps ${fmt(steps)} (${fmt(choices)} choices)`,
      `trace (all seeds) ${traceHash}`,
    )
  }
  for (const r of reports.slice(0, options.maxReports)) {
    lines.push(`  seed ${r.seed}: ${r.kind}: ${r.message}`)
    if (r.report) lines.push(`    report ${r.report} (and .html) · replay: npm run sim -- --replay ${r.report}`)
    if (r.shrunk) {
      const s = r.shrunk
      lines.push(
        `    shrunk to ${s.clients} client(s), ${s.operations} operation(s), ${s.commands} command(s), ` +
          `${s.preemptions} preemption(s): ${s.report} · replay: npm run sim -- --replay ${s.report}`,
      )
    }
  }
  if (reports.length > options.maxReports) {
    const rest = reports.slice(options.maxReports)
    lines.push(
      `  … and ${rest.length} more violations, without reports (raise --max-reports to write them): ` +
        rest.map((r) => `seed ${r.seed} ${r.kind}`).join(', '),
    )
  }
  const seconds = elapsed / 1000
  lines.push(
    `elapsed ${elapsed < 10_000 ? `${elapsed.toFixed(0)} ms` : `${seconds.toFixed(1)} s`}` +
      (results.length > 1
        ? ` (${fmt(Math.round(results.length / seconds))} seeds/s, ${fmt(Math.round(steps / seconds))} steps/s)`
        : ''),
  )
  io.out(`${lines.join('\n')}\n`)
  return exitCode
}

/** Re-runs the reported execution with full recording (checking it reproduces) and writes its report. */
async function reportFor(result: SeedSummary, options: CliOptions): Promise<{ json: string; report: RaceReport }> {
  const execution = await replayExecution(result.scenario!, result.mutant, result.tape!, result.maxSteps)
  if (execution.traceHash !== result.traceHash) {
    execution.violations.unshift({
      kind: 'nondeterminism',
      message: `re-running the reported schedule gave trace ${execution.traceHash.slice(0, 16)}, not ${result.traceHash.slice(0, 16)}`,
      operations: [],
      clients: [],
      keys: [],
      accesses: [],
    })
  }
  // The report dir as given (relative to where the command runs), so the printed replay command works as typed.
  const { json, report } = writeReport(options.reportDir, result as Required<SeedSummary>, execution, {
    ...options.config,
    seed: result.seed,
  })
  return { json, report }
}

/** `kind: message` of the most harmful violation, as reports name it. */
function headlineOf(
  violations: Parameters<typeof presentViolations>[0],
  log: Parameters<typeof presentViolations>[1],
  scenario: { scripts?: Record<string, string> },
): string {
  const [first] = presentViolations(violations, log, scenario.scripts)
  return `${first.kind}: ${first.message}`
}

/**
 * Why reports could not be written to `dir`, or null: it (or the nearest existing directory above it, where it would
 * be created) must be a writable directory. Nothing is created here.
 */
function unwritableDir(dir: string): string | null {
  let at = resolve(dir)
  for (;;) {
    let stats: ReturnType<typeof statSync> | undefined
    try {
      stats = statSync(at)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // ENOTDIR: a file on the way; the walk up finds and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return (err as Error).message
    }
    if (stats) {
      if (!stats.isDirectory()) return at === resolve(dir) ? 'not a directory' : `${at} is not a directory`
      try {
        accessSync(at, constants.W_OK)
      } catch {
        return at === resolve(dir) ? 'not writable' : `cannot be created: ${at} is not writable`
      }
      return null
    }
    const parent = dirname(at)
    if (parent === at) return 'no existing directory above it'
    at = parent
  }
}

/** Shrinks a reported violation (sim/shrink.ts) and writes the shrunk run's report; undefined if it did not shrink. */
async function shrunkReportFor(result: SeedSummary, options: CliOptions) {
  const kind = result.violations[0].kind
  const shrunk = await shrinkCase(
    { scenario: result.scenario!, mutant: result.mutant, tape: result.tape!, maxSteps: result.maxSteps },
    { accept: (violations) => violations.some((v) => v.kind === kind) },
  )
  if (!shrunk) return undefined
  const { json } = writeShrunkReport(
    options.reportDir,
    {
      seed: result.seed,
      strategy: result.strategy,
      workload: result.workload,
      config: { ...options.config, seed: result.seed },
    },
    shrunk,
  )
  const { clients, operations, commands, preemptions } = shrunk.after
  return { report: json, clients, operations, commands, preemptions }
}

async function progressBar(io: CliIO, options: CliOptions, total: number) {
  if (!io.isTTY || options.json || total < 2) return null
  const { default: cliProgress } = await import('cli-progress')
  const bar = new cliProgress.SingleBar(
    {
      format: 'seeds [{bar}] {value}/{total} {percentage}% · violations {violations} · eta {eta_formatted}',
      stream: io.progressStream ?? process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0, { violations: 0 })
  return bar
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
