/**
 * `npm run bench:detect`: how many seeds each strategy needs to catch each mutant.
 *
 * For every mutant and every strategy (random walk, PCT, bounded exhaustive search, and the default portfolio that
 * rotates them), starting from each of 20 starting seeds, count the seeds tried until the first one whose run a
 * property check flags (the same kinds the kill table counts: an internal error is not a catch). Prints the median
 * and the worst over the starting seeds. Goal: the portfolio catches every mutant within 50 seeds at the
 * median.
 *
 * Starting seeds are 1, 1+stride, 1+2*stride, ...; the windows after them overlap, so each seed runs once per
 * mutant and strategy and its verdict is shared by every window that contains it. A window with no detection within
 * the cap counts as "more than cap".
 *
 * Each mutant runs on the fixture workload that exercises its mechanism (per-call-lock, evalsha-unlocked and
 * watch-blind-to-scripts on `counter`, the seed's race; exec-unlocked on `transactions`; lock-leak-on-error on
 * `swarm`, whose text values make scripts raise); `--workload NAME` uses one workload for all.
 *
 * Options: --starts N (20), --stride K (5), --cap C (100), --workers W (one per core), --workload NAME,
 * --mutant NAME, --strategy NAME (repeatable by comma). Jobs (one mutant and strategy each) run on worker threads.
 */
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { CATCH_KINDS } from '../properties/harness.ts'
import { MUTANT_NAMES } from '../sim/mutants.ts'
import { DEFAULT_CONFIG, runSeed } from '../sim/run.ts'
import type { StrategyName } from '../sim/strategies/strategy.ts'

const STRATEGIES: StrategyName[] = ['random', 'pct', 'dfs', 'portfolio']

const FOCUSED_WORKLOAD: Record<string, string> = {
  'per-call-lock': 'counter',
  'exec-unlocked': 'transactions',
  'evalsha-unlocked': 'counter',
  'watch-blind-to-scripts': 'counter',
  'lock-leak-on-error': 'swarm',
}

interface Job {
  mutant: string
  strategy: StrategyName
  workload: string
  starts: number[]
  cap: number
}

interface JobResult {
  job: Job
  /** Seeds until the first detection, per starting seed (cap + 1 = none within the cap). */
  counts: number[]
  seedsRun: number
  ms: number
}

/** Runs seeds in increasing order, only as far as the windows need, and counts per window. */
async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now()
  const detected = new Map<number, boolean>()
  const isCaught = async (seed: number): Promise<boolean> => {
    let hit = detected.get(seed)
    if (hit === undefined) {
      const result = await runSeed({
        ...DEFAULT_CONFIG,
        seed,
        mutant: job.mutant,
        strategy: job.strategy,
        workload: job.workload,
      })
      hit = result.violations.some((v) => CATCH_KINDS.has(v.kind))
      detected.set(seed, hit)
    }
    return hit
  }
  const counts: number[] = []
  for (const start of job.starts) {
    let n = 1
    while (n <= job.cap && !(await isCaught(start + n - 1))) n++
    counts.push(n)
  }
  return { job, counts, seedsRun: detected.size, ms: performance.now() - started }
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const WORKER_MARK = 'redsim-bench-detect'

if (!isMainThread && workerData?.[WORKER_MARK] && parentPort) {
  const port = parentPort
  port.on('message', async (job: Job | null) => {
    if (job === null) process.exit(0)
    port.postMessage(await runJob(job))
  })
} else if (isMainThread) {
  await main()
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      starts: { type: 'string', default: '20' },
      stride: { type: 'string', default: '5' },
      cap: { type: 'string', default: '100' },
      workers: { type: 'string' },
      workload: { type: 'string' },
      mutant: { type: 'string' },
      strategy: { type: 'string' },
    },
  })
  const starts = Array.from({ length: Number(values.starts) }, (_, i) => 1 + i * Number(values.stride))
  const cap = Number(values.cap)
  const mutants = values.mutant ? values.mutant.split(',') : MUTANT_NAMES
  const strategies = (values.strategy ? values.strategy.split(',') : STRATEGIES) as StrategyName[]
  const jobs: Job[] = []
  for (const mutant of mutants) {
    for (const strategy of strategies) {
      jobs.push({ mutant, strategy, workload: values.workload ?? FOCUSED_WORKLOAD[mutant] ?? 'swarm', starts, cap })
    }
  }
  const workers = Math.max(1, Math.min(Number(values.workers ?? availableParallelism()), jobs.length))
  console.log(
    `bench:detect · ${starts.length} starting seeds (${starts[0]}, ${starts[1] ?? ''}, … step ${values.stride}) · ` +
      `cap ${cap} seeds · ${workers} worker(s)`,
  )
  const started = performance.now()
  const results = await runJobs(jobs, workers)

  const rows = [['mutant', 'workload', 'strategy', 'median', 'worst', 'caught', 'seeds run', 'time']]
  for (const r of results) {
    const show = (n: number) => (n > cap ? `>${cap}` : String(n))
    const caught = r.counts.filter((n) => n <= cap).length
    rows.push([
      r.job.mutant,
      r.job.workload,
      r.job.strategy,
      show(median(r.counts)),
      show(Math.max(...r.counts)),
      `${caught}/${r.counts.length}`,
      String(r.seedsRun),
      `${(r.ms / 1000).toFixed(1)} s`,
    ])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`
  console.log(line(rows[0]))
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
  for (const row of rows.slice(1)) console.log(line(row))

  const portfolio = results.filter((r) => r.job.strategy === 'portfolio')
  const missed = portfolio.filter((r) => median(r.counts) > 50).map((r) => r.job.mutant)
  if (portfolio.length > 0) {
    console.log(
      missed.length === 0
        ? 'goal met: the portfolio catches every mutant within 50 seeds at the median'
        : `goal NOT met for: ${missed.join(', ')} (portfolio median above 50 seeds)`,
    )
  }
  console.log(`elapsed ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

/** Hands jobs to worker threads one at a time; results in job order. */
async function runJobs(jobs: Job[], workers: number): Promise<JobResult[]> {
  if (workers === 1) {
    const out: JobResult[] = []
    for (const job of jobs) out.push(await runJob(job))
    return out
  }
  const results: JobResult[] = new Array(jobs.length)
  let next = 0
  // Node 20 does not carry the tsx loader into worker threads: register it there, then load this file.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}) })`
  await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(bootstrap, { eval: true, workerData: { [WORKER_MARK]: true }, execArgv: [] })
          const feed = () => {
            if (next >= jobs.length) {
              worker.postMessage(null)
              return
            }
            const index = next++
            worker.once('message', (result: JobResult) => {
              results[index] = result
              process.stderr.write('.')
              feed()
            })
            worker.postMessage(jobs[index])
          }
          worker.on('error', reject)
          worker.on('exit', () => resolve())
          worker.once('online', feed)
        }),
    ),
  )
  process.stderr.write('\n')
  return results
}
