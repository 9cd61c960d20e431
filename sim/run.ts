/**
 * One simulation: build a fresh engine wired to the simulation seam, start the simulated clients, let the scheduler
 * drive them to the end, and check the recorded run. `execute` runs one schedule of one scenario; `runSeed` turns a
 * seed and a configuration into a scenario and explores it with the configured strategy (one schedule for random and
 * PCT, many for DFS).
 *
 * Nothing here reads the wall clock, Math.random or timers: time is a ManualClock that only timer events move,
 * randomness is seeded from the seed, and the scheduler decides every interleaving.
 */
import seedrandom from 'seedrandom'
import { ManualClock } from '../src/engine/clock.ts'
import { Engine } from '../src/engine/engine.ts'
import type { Logger } from '../src/engine/logger.ts'
import { seededRandom } from '../src/engine/random.ts'
import type { Actor } from '../src/engine/seam.ts'
import type { ExecutorVariant } from '../src/engine/variant.ts'
import { LocalConnection, toArgv } from '../src/server/local-connection.ts'
import { checkRun } from './checkers/index.ts'
import { type Violation, violation } from './checkers/types.ts'
import { SimClient } from './clients.ts'
import { ConnectionTap, installTaps, LocalPipeline, type Pipeline, RespPipeline } from './connections.ts'
import { TapeStrategy } from './decision-tape.ts'
import { variantNamed } from './mutants.ts'
import { Recorder } from './recorder.ts'
import { type Outcome, Scheduler, SimActor, type TraceEntry } from './scheduler.ts'
import { SimSeam } from './sim-seam.ts'
import { DfsExplorer } from './strategies/dfs.ts'
import { Pct } from './strategies/pct.ts'
import { RandomWalk } from './strategies/random.ts'
import { spreadTimerRate, type Strategy, type StrategyName } from './strategies/strategy.ts'
import { combineHashes, TraceHash } from './trace-hash.ts'
import { buildScenario, type Operation, type Scenario } from './workloads.ts'

export interface SimConfig {
  seed: number
  strategy: StrategyName
  /** PCT: the bug depth d (default 3). DFS: the preemption bound (default 2). */
  depth?: number
  workload: string
  clients?: number
  ops?: number
  keys?: number
  faults: boolean
  /** 'correct' or a mutant name from sim/mutants.ts. */
  mutant: string
  /** Step budget; default scales with the scenario's size. */
  maxSteps?: number
  /** DFS: executions per seed (default 32: every schedule without preemption, then as many with one as fit). */
  dfsExecutions?: number
}

export const DEFAULT_CONFIG: Omit<SimConfig, 'seed'> = {
  strategy: 'portfolio',
  workload: 'swarm',
  faults: true,
  mutant: 'correct',
}

/** The strategy a seed actually uses: portfolio rotates random walk, PCT d=2, PCT d=3 and DFS across seeds. */
export function resolveStrategy(config: SimConfig): { name: 'random' | 'pct' | 'dfs'; depth: number } {
  if (config.strategy === 'portfolio') {
    const rotation = [
      { name: 'random', depth: 0 },
      { name: 'pct', depth: config.depth ?? 2 },
      { name: 'pct', depth: config.depth ?? 3 },
      { name: 'dfs', depth: config.depth ?? 2 },
    ] as const
    return rotation[((config.seed % 4) + 4) % 4]
  }
  if (config.strategy === 'pct') return { name: 'pct', depth: config.depth ?? 3 }
  if (config.strategy === 'dfs') return { name: 'dfs', depth: config.depth ?? 2 }
  return { name: 'random', depth: 0 }
}

/** Builds the scenario a seed runs under `config` (DFS explores small scenarios unless sizes are given). */
export function scenarioFor(config: SimConfig): Scenario {
  const strategy = resolveStrategy(config)
  const small = strategy.name === 'dfs'
  const scenario = buildScenario(config.workload, config.seed, {
    clients: config.clients ?? (small ? 2 + (config.seed % 2) : undefined),
    ops: config.ops ?? (small ? 1 + (config.seed % 3) : undefined),
    keys: config.keys ?? (small ? 1 + (config.seed % 2) : undefined),
    faults: config.faults,
  })
  // Every timer event is one more choice at every step; exhaustive search keeps them few.
  if (small) scenario.timer.events = Math.min(scenario.timer.events, 1)
  return scenario
}

/** Commands a program sends at most, for step budgets. */
function commandCount(program: readonly Operation[]): number {
  let n = 0
  for (const op of program) {
    if (op.kind === 'command') n += 1
    else if (op.kind === 'multi') n += op.commands.length + 2
    else if (op.kind === 'watch') n += 5
    else n += 2
  }
  return n
}

export function defaultMaxSteps(scenario: Scenario): number {
  let commands = 0
  for (const program of scenario.programs) commands += commandCount(program)
  return 32 * commands + 1000 + scenario.timer.events
}

export interface ExecuteOptions {
  scenario: Scenario
  strategy: Strategy
  variant: ExecutorVariant
  maxSteps: number
  /** Keep the full decision trace (reports); the history and execution log are always kept. */
  full?: boolean
}

export interface Execution {
  outcome: Outcome
  steps: number
  tape: number[]
  traceHash: string
  violations: Violation[]
  recorder: Recorder
  trace: TraceEntry[] | null
  engine: Engine
  clientIds: number[]
}

const TIMER: Actor = { id: 0, name: 'timer' }
const silentLogger: Logger = () => {}

/** Runs one schedule of one scenario and checks it. */
export async function execute(options: ExecuteOptions): Promise<Execution> {
  const { scenario, variant } = options
  const hash = new TraceHash()
  const recorder = new Recorder()
  const trace: TraceEntry[] | null = options.full ? [] : null
  const clock = new ManualClock()
  const clients: SimClient[] = []
  const byId: SimClient[] = []
  let engine!: Engine

  /** A timer event: the clock moves `ms` forward, then the cron and the engine's due timers (blocking timeouts) run. */
  const advanceTime = (ms: number): void => {
    clock.advance(ms)
    recorder.clockEvent(clock.now())
    // The production cron entry point, as the TCP server's interval calls it: it runs only when nobody holds the lock
    // (or, in the cron-ignores-lease mutant, whenever it fires).
    const held = engine.lock.holder !== null
    if (held) recorder.clockMovedUnderLease = true
    recorder.beginTimer()
    try {
      const ran = engine.runCron(TIMER) !== null
      recorder.timerEvent(clock.now(), ran)
    } finally {
      recorder.endTimer()
    }
    engine.runDueTimers()
  }
  const fireTimer = (): void => advanceTime(scenario.timer.stepMs)
  let unblocker: LocalConnection | null = null
  const scheduler = new Scheduler({
    strategy: options.strategy,
    maxSteps: options.maxSteps,
    hash,
    timer: scenario.timer.events > 0 ? { remaining: scenario.timer.events, fire: fireTimer } : null,
    // Everyone waits for a key: time jumps to the next blocking timeout.
    jump: {
      due: () => engine.timers.nextDue() !== undefined,
      fire: () => advanceTime(Math.max(0, (engine.timers.nextDue() ?? clock.now()) - clock.now())),
    },
    // CLIENT UNBLOCK from a connection of its own, only while the lock is free and no CLIENT PAUSE ALL would hold it
    // back, so that it runs at once.
    unblock: {
      possible: () =>
        engine.lock.holder === null && !engine.lock.mutexEngaged && engine.clientPause.pauseType !== 'all',
      fire: (actor, how) => {
        unblocker ??= new LocalConnection(engine, 'sim')
        const argv = ['CLIENT', 'UNBLOCK', String(actor.id), how === 'error' ? 'ERROR' : 'TIMEOUT']
        const reply = engine.executor.execute(unblocker.client, toArgv(argv))
        if (reply instanceof Promise) scheduler.fail(new Error('CLIENT UNBLOCK had to wait for the lock'))
        else hash.reply(unblocker.client.id, reply)
      },
    },
    onFault: (actor) => {
      // Before the lock (arrival, waiting, handed over, just acquired), the executor will drop the in-flight command.
      const site = actor.site
      if (site === 'arrive' || site === 'lock-wait' || site === 'lock-handed' || site === 'lock-acquired') {
        recorder.dropCurrent(actor.id)
      }
      byId[actor.id].disconnect()
    },
    wire: {
      pending: (actor) => wires[actor.id]?.pending ?? false,
      deliver: (actor, wasIdle) => wires[actor.id].deliver(wasIdle),
      describe: (actor) => wires[actor.id].nextDelivery,
    },
    tick: recorder.tick,
    trace,
  })
  const seam = new SimSeam(scheduler, recorder, clock, trace !== null)
  engine = new Engine({
    clock,
    random: seededRandom(`${scenario.seed}:engine`),
    seam,
    logger: silentLogger,
    variant,
    config: scenario.config,
  })
  recorder.engine = engine
  recorder.clockEvent(clock.now())
  const deps = { engine, scheduler, recorder, hash, scripts: scenario.scripts }
  const taps = new Map<number, ConnectionTap>()
  const wires: RespPipeline[] = []
  scenario.programs.forEach((program, index) => {
    const kind = scenario.connections?.[index] ?? 'direct'
    let pipeline: Pipeline | null = null
    if (kind !== 'direct') {
      const tap = new ConnectionTap(recorder, hash)
      if (kind === 'local') pipeline = new LocalPipeline(engine, tap)
      else {
        const prng = seedrandom(`${scenario.seed}:wire:${index}`)
        pipeline = new RespPipeline(engine, tap, scheduler, prng, 50_000 + index)
        wires[pipeline.client.id] = pipeline as RespPipeline
      }
      taps.set(pipeline.client.id, tap)
    }
    const client = new SimClient(deps, program, pipeline)
    clients.push(client)
    byId[client.id] = client
  })
  if (taps.size > 0) installTaps(engine, taps)

  // Setup runs first, alone, through an ordinary connection the scheduler does not manage.
  if (scenario.setup.length > 0) {
    const setup = new LocalConnection(engine, 'sim')
    for (const argv of scenario.setup) {
      const op = recorder.invoke(setup.client.id, { argv })
      op.calls.push({ argv })
      const reply = await setup.send(toArgv(argv))
      hash.reply(setup.client.id, reply)
      recorder.complete(op, reply)
      op.calls[0].reply = op.output
    }
    setup.close()
  }

  for (const client of clients) {
    client.actor = new SimActor(client.id, client.client.name)
    const wire = wires[client.id]
    if (wire) wire.actor = client.actor
    scheduler.add(client.actor, wire !== undefined)
  }
  for (const fault of scenario.faults.disconnects) {
    const client = clients[fault.client]
    if (client && fault.unblock) client.actor.unblock = fault.unblock
    else if (client) client.actor.disconnectAt = fault.atPark
  }
  for (const client of clients) void client.run()
  const outcome: Outcome = clients.length === 0 ? { kind: 'done' } : await scheduler.done
  hash.note(outcome.kind)

  const violations = await checkRun({
    scenario,
    outcome,
    steps: scheduler.steps,
    history: recorder.history,
    log: recorder.log,
    spans: recorder.spans,
    engine,
    clientIds: clients.map((c) => c.id),
    calls: recorder.calls,
    serialOrder: recorder.serialOrder,
    clockMovedUnderLease: recorder.clockMovedUnderLease,
    ranInsideBusyScript: recorder.ranInsideBusyScript,
    connectionBreaches: recorder.connectionBreaches,
  })
  return {
    outcome,
    steps: scheduler.steps,
    tape: scheduler.tape,
    traceHash: hash.digest(),
    violations,
    recorder,
    trace,
    engine,
    clientIds: clients.map((c) => c.id),
  }
}

export interface SeedResult {
  seed: number
  /** The strategy that ran, e.g. `pct(d=3)`. */
  strategy: string
  workload: string
  mutant: string
  clients: number
  /** History operations of the reported execution. */
  operations: number
  /** Scheduling steps over all executions. */
  steps: number
  /** Decisions with a real choice (tape entries) over all executions. */
  decisions: number
  executions: number
  verdict: 'pass' | 'violation'
  violations: Violation[]
  /** Trace hash of the reported execution (the violating one, or the last). */
  traceHash: string
  /** Hash over all executions' trace hashes: what --check-determinism compares. */
  explorationHash: string
  tape: number[]
  maxSteps: number
  scenario: Scenario
}

/** Runs one seed under `config`: builds its scenario and explores it with the seed's strategy. */
export async function runSeed(config: SimConfig): Promise<SeedResult> {
  const scenario = scenarioFor(config)
  const variant = variantNamed(config.mutant)
  const maxSteps = config.maxSteps ?? defaultMaxSteps(scenario)
  const chosen = resolveStrategy(config)
  const clientIds = Array.from({ length: scenario.clients }, (_, i) => i + 1)
  const hashes: string[] = []
  let steps = 0
  let decisions = 0
  let last: Execution
  let name: string

  if (chosen.name === 'dfs') {
    name = `dfs(pb=${chosen.depth})`
    const explorer = new DfsExplorer(chosen.depth)
    const budget = config.dfsExecutions ?? 32
    for (;;) {
      last = await execute({ scenario, strategy: explorer.strategy(), variant, maxSteps })
      hashes.push(last.traceHash)
      steps += last.steps
      decisions += last.tape.length
      if (last.violations.length > 0 || explorer.executions >= budget || !explorer.next()) break
    }
  } else {
    const expectedSteps = Math.max(1, maxSteps - 1000) / 8
    const timerRate = spreadTimerRate(scenario.timer.events, expectedSteps)
    const strategy =
      chosen.name === 'pct'
        ? new Pct(config.seed, clientIds, chosen.depth, expectedSteps, timerRate)
        : new RandomWalk(config.seed, timerRate)
    name = strategy.name
    last = await execute({ scenario, strategy, variant, maxSteps })
    hashes.push(last.traceHash)
    steps = last.steps
    decisions = last.tape.length
  }
  return {
    seed: config.seed,
    strategy: name,
    workload: scenario.workload,
    mutant: variant.name,
    clients: scenario.clients,
    operations: last.recorder.history.length,
    steps,
    decisions,
    executions: hashes.length,
    verdict: last.violations.length > 0 ? 'violation' : 'pass',
    violations: last.violations,
    traceHash: last.traceHash,
    explorationHash: hashes.length === 1 ? hashes[0] : combineHashes(hashes),
    tape: last.tape,
    maxSteps,
    scenario,
  }
}

/** Runs a seed twice and turns differing hashes into a violation. */
export async function runSeedTwice(config: SimConfig): Promise<SeedResult> {
  const first = await runSeed(config)
  const second = await runSeed(config)
  if (first.explorationHash === second.explorationHash) return first
  const v = violation(
    'nondeterminism',
    `seed ${config.seed} gave two different traces: ${first.explorationHash.slice(0, 16)} then ${second.explorationHash.slice(0, 16)}`,
  )
  return { ...first, verdict: 'violation', violations: [v, ...first.violations] }
}

/** Re-runs exactly one recorded execution (same scenario, variant, budget and tape). */
export function replayExecution(
  scenario: Scenario,
  mutant: string,
  tape: readonly number[],
  maxSteps: number,
  full = true,
): Promise<Execution> {
  return execute({ scenario, strategy: new TapeStrategy(tape), variant: variantNamed(mutant), maxSteps, full })
}
