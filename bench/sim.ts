/**
 * `npm run bench:sim`: the simulator's throughput and memory, printed, never asserted.
 *
 *   1. the scheduler core alone: actors that do nothing but park at a seam point, so the figure is the cost of one
 *      scheduling decision (choose, resume, detect quiescence), without the executor behind it;
 *   2. the reference workload (fixtures/workloads/reference.json: 4 clients, 25 operations each, 30% scripts when the
 *      build has EVAL, 3 keys) end to end with the real executor, on one worker (this thread) and on all workers;
 *   3. where one reference seed's CPU time goes: scenario, execution, and each checker (so the next optimisation
 *      starts from a measurement);
 *   4. memory (heap after a forced GC) every 10% of a long single-worker run, to show it stays flat.
 *
 * Options: --seeds N (single-worker run, default 2000), --memory-seeds N (default 100000; 0 skips), --workers W.
 * Wall-clock rates are shown with the CPU time the process used, because on a shared machine wall time also measures
 * the neighbours.
 */
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ManualClock } from '../src/engine/clock.ts'
import { CHECKERS } from '../sim/checkers/index.ts'
import type { Checker } from '../sim/checkers/types.ts'
import { Recorder } from '../sim/recorder.ts'
import { DEFAULT_CONFIG, runSeed, scenarioFor, type SimConfig } from '../sim/run.ts'
import { Scheduler, SimActor } from '../sim/scheduler.ts'
import { SimSeam } from '../sim/sim-seam.ts'
import { RandomWalk } from '../sim/strategies/random.ts'
import { TraceHash } from '../sim/trace-hash.ts'
import { runBatch } from '../sim/workers.ts'
import { hasCommand } from '../sim/workloads.ts'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '2000' },
    'memory-seeds': { type: 'string', default: '100000' },
    workers: { type: 'string', default: String(availableParallelism()) },
  },
})
const SEEDS = Number(values.seeds)
const MEMORY_SEEDS = Number(values['memory-seeds'])
const WORKERS = Number(values.workers)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

function timer() {
  const wall = performance.now()
  const cpu = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(cpu)
    return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 }
  }
}

/** Scheduler core: `actors` actors each park `parks` times; every park is one decision. */
async function schedulerOnly(actors: number, parks: number): Promise<number> {
  const recorder = new Recorder()
  const scheduler = new Scheduler({
    strategy: new RandomWalk(1),
    maxSteps: Number.MAX_SAFE_INTEGER,
    hash: new TraceHash(),
    timer: null,
    onFault: () => {},
    tick: recorder.tick,
    trace: null,
  })
  const seam = new SimSeam(scheduler, recorder, new ManualClock())
  const list = Array.from({ length: actors }, (_, i) => new SimActor(i + 1, `a${i + 1}`))
  for (const a of list) scheduler.add(a)
  for (const a of list) {
    void (async () => {
      for (let i = 0; i < parks; i++) {
        const p = seam.point('arrive', a)
        if (p) await p
      }
      scheduler.finished(a)
    })()
  }
  await scheduler.done
  return scheduler.steps
}

const cpuMs = (): number => {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

/**
 * CPU time per reference seed by phase. Each checker is wrapped with a CPU-time reading for the duration (the readings
 * are coarse one by one but add up over many seeds); the execution is the rest of runSeed's time.
 */
async function breakdown(seeds: number): Promise<string> {
  const spent = new Map<string, number>()
  const original = CHECKERS.slice()
  CHECKERS.splice(
    0,
    CHECKERS.length,
    ...original.map(
      (checker, index): Checker => ({
        name: checker.name,
        kinds: checker.kinds,
        async check(run) {
          // The run's last promise reactions (clients winding down) are still queued when checking starts: let them
          // run first, so that they count as execution rather than as the first checker.
          if (index === 0) await new Promise((resolve) => setImmediate(resolve))
          const start = cpuMs()
          const result = checker.check(run)
          const found = result instanceof Promise ? await result : result
          spent.set(checker.name, (spent.get(checker.name) ?? 0) + cpuMs() - start)
          return found
        },
      }),
    ),
  )
  let total = 0
  try {
    const start = cpuMs()
    for (let seed = 1; seed <= seeds; seed++) await runSeed({ ...reference, seed })
    total = cpuMs() - start
  } finally {
    CHECKERS.splice(0, CHECKERS.length, ...original)
  }
  const scenarioStart = cpuMs()
  for (let seed = 1; seed <= seeds; seed++) scenarioFor({ ...reference, seed })
  const scenario = cpuMs() - scenarioStart
  let checks = 0
  for (const ms of spent.values()) checks += ms
  const us = (ms: number) => `${fmt((ms / seeds) * 1000)} µs`
  const parts = [`scenario ${us(scenario)}`, `execution ${us(total - checks - scenario)}`]
  for (const [name, ms] of spent) if (ms / seeds >= 0.005) parts.push(`${name} ${us(ms)}`)
  return `CPU per reference seed (${fmt(seeds)} seeds): ${us(total)} = ${parts.join(' · ')}`
}

const reference: Omit<SimConfig, 'seed'> = {
  ...DEFAULT_CONFIG,
  workload: 'reference',
  strategy: 'random',
  faults: false,
}

async function main(): Promise<void> {
  console.log(`redsim bench:sim · node ${process.version} · ${availableParallelism()} cores`)
  console.log(
    `reference workload: 4 clients × 25 operations, 3 keys, ${hasCommand('eval') ? '30% scripts' : 'no scripts (this build has no EVAL yet: their 30% share goes to commands and MULTI)'}`,
  )
  // 1. Scheduler core.
  await schedulerOnly(4, 10_000)
  const t1 = timer()
  const decisions = await schedulerOnly(4, 250_000)
  const s1 = t1()
  console.log(
    `scheduler core (4 actors, no executor): ${fmt((decisions / s1.wallMs) * 1000)} decisions/s wall, ${fmt((decisions / s1.cpuMs) * 1000)} per CPU-second`,
  )

  // 2. Reference workload, one worker.
  for (let seed = 1; seed <= 200; seed++) await runSeed({ ...reference, seed })
  let steps = 0
  let choices = 0
  let operations = 0
  const t2 = timer()
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = await runSeed({ ...reference, seed })
    steps += r.steps
    choices += r.decisions
    operations += r.operations
    if (r.verdict !== 'pass') console.log(`  seed ${seed}: ${r.violations[0].message}`)
  }
  const s2 = t2()
  console.log(
    `one worker, ${fmt(SEEDS)} seeds: ${fmt((SEEDS / s2.wallMs) * 1000)} seeds/s wall (${fmt((SEEDS / s2.cpuMs) * 1000)} per CPU-second) · ` +
      `${fmt((steps / s2.wallMs) * 1000)} decisions/s (${fmt((steps / s2.cpuMs) * 1000)} per CPU-second; ` +
      `${fmt((choices / s2.wallMs) * 1000)}/s with more than one choice) · ${fmt(steps / SEEDS)} decisions and ${fmt(operations / SEEDS)} operations per seed`,
  )

  // 2b. The same sizes without scripts (the Lua VM's share of the cost shows in the difference).
  const plain: Omit<SimConfig, 'seed'> = { ...reference, workload: 'commands', clients: 4, ops: 25, keys: 3 }
  let plainSteps = 0
  const tp = timer()
  for (let seed = 1; seed <= SEEDS; seed++) plainSteps += (await runSeed({ ...plain, seed })).steps
  const sp = tp()
  console.log(
    `one worker, commands only (same sizes, no scripts): ${fmt((SEEDS / sp.wallMs) * 1000)} seeds/s wall ` +
      `(${fmt((SEEDS / sp.cpuMs) * 1000)} per CPU-second) · ${fmt((plainSteps / sp.wallMs) * 1000)} decisions/s ` +
      `(${fmt((plainSteps / sp.cpuMs) * 1000)} per CPU-second)`,
  )

  // 2c. All workers.
  const seeds = Array.from({ length: SEEDS * WORKERS }, (_, i) => 1 + i)
  const t3 = timer()
  const results = await runBatch({ config: reference, seeds, workers: WORKERS, checkDeterminism: false })
  const s3 = t3()
  const allSteps = results.reduce((n, r) => n + r.steps, 0)
  console.log(
    `${WORKERS} workers, ${fmt(seeds.length)} seeds: ${fmt((seeds.length / s3.wallMs) * 1000)} seeds/s wall ` +
      `(${fmt((seeds.length / s3.cpuMs) * 1000)} per CPU-second of all threads) · ` +
      `${fmt((allSteps / s3.wallMs) * 1000)} decisions/s wall (includes worker start-up)`,
  )

  // 3. Where the time goes.
  console.log(await breakdown(Math.min(SEEDS, 1000)))

  // 4. Memory over a long run.
  if (MEMORY_SEEDS > 0) {
    gc()
    const base = process.memoryUsage().heapUsed
    const samples: string[] = []
    const t4 = timer()
    for (let seed = 1; seed <= MEMORY_SEEDS; seed++) {
      await runSeed({ ...reference, seed })
      if (seed % Math.max(1, Math.floor(MEMORY_SEEDS / 10)) === 0) {
        gc()
        samples.push(`${(process.memoryUsage().heapUsed / 1048576).toFixed(1)}`)
      }
    }
    const s4 = t4()
    console.log(
      `memory over ${fmt(MEMORY_SEEDS)} seeds (heap MB after GC, every 10%): start ${(base / 1048576).toFixed(1)} → ${samples.join(' ')} ` +
        `· rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB · ${fmt((MEMORY_SEEDS / s4.wallMs) * 1000)} seeds/s`,
    )
  }
}

await main()
