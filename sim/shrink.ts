/**
 * Shrinking a failing run: given a scenario, an executor and a decision tape that together produce a violation, find
 * a smaller scenario and a simpler schedule that still produce a violation of the same kind. "Smaller" means, in this
 * order of importance: fewer clients, fewer operations (and fewer commands inside them), no faults, no timer events,
 * less setup, and then fewer preemptions and a shorter tape.
 *
 * It is greedy delta debugging over the scenario's parts. The catch is the schedule: a decision tape is a list of
 * indices into the enabled set at each step, so removing a client or an operation shifts every later decision. Each
 * candidate scenario is therefore tried with three schedules, cheapest first:
 *  1. the current tape as it is (often still right when an operation far from the race goes);
 *  2. the current schedule translated into "which client ran", renumbered for the removed client, and replayed as a
 *     guide (the same clients in the same order, as far as the new scenario allows);
 *  3. for small scenarios, bounded exhaustive search (sim/strategies/dfs.ts), which finds a failing schedule if one
 *     exists within a couple of preemptions, in order of preemption count;
 *  4. a few seeded PCT and random-walk schedules.
 * Once the scenario is minimal, the schedule itself is shrunk: exhaustive search for a schedule with fewer
 * preemptions, then individual preemptions turned back into "keep running", then the tape cut short (an exhausted
 * tape continues without preempting).
 *
 * The result is exact: its tape is the one the scheduler recorded on the final run, so a report built from it replays
 * to the same trace hash. Everything here is deterministic (runs are, and the search order is fixed).
 */
import { HARNESS_KINDS } from './checkers/registry.ts'
import type { Violation } from './checkers/types.ts'
import { nonPreemptingChoice, TapeStrategy } from './decision-tape.ts'
import type { DisconnectFault } from './faults.ts'
import { type Execution, execute } from './run.ts'
import { variantNamed } from './mutants.ts'
import { DfsExplorer } from './strategies/dfs.ts'
import { Pct } from './strategies/pct.ts'
import { RandomWalk } from './strategies/random.ts'
import { indexOfActor, type StepView, type Strategy, TIMER_ACTOR } from './strategies/strategy.ts'
import type { Operation, Scenario } from './workloads.ts'

/** A run to shrink: everything `execute` needs besides the strategy. */
export interface FailingCase {
  scenario: Scenario
  /** 'correct' or a mutant name. */
  mutant: string
  tape: readonly number[]
  maxSteps: number
}

export interface ShrinkOptions {
  /** Whether a candidate's violations still show the bug. Default: a violation of the original's first kind. */
  accept?: (violations: readonly Violation[]) => boolean
  /** Executions the shrinker may spend (default 1500). */
  budget?: number
  /** DFS executions per candidate scenario, when it is small enough to search (default 24). */
  searchExecutions?: number
  /** Seeded PCT and random-walk schedules tried per candidate scenario when the others fail (default 6). */
  randomSchedules?: number
}

/** How big a case is. `commands` counts the commands the simulated clients actually sent. */
export interface CaseSize {
  clients: number
  operations: number
  commands: number
  faults: number
  timerEvents: number
  setup: number
  tape: number
  preemptions: number
}

export interface ShrinkResult {
  case: FailingCase
  /** The final run (full trace), whose violations include the accepted one. */
  execution: Execution
  before: CaseSize
  after: CaseSize
  /** Executions spent shrinking. */
  executions: number
}

/** One decision of a recorded run: what was chosen, and what would not have preempted. */
interface Decision {
  actor: number
  chosen: number
  def: number
  /** Whether the actor that ran last could have continued (so choosing another was a preemption). */
  previousEnabled: boolean
}

/** Wraps a strategy and records every decision it takes. */
class RecordingStrategy implements Strategy {
  readonly name: string
  readonly decisions: Decision[] = []
  constructor(private readonly inner: Strategy) {
    this.name = inner.name
  }
  choose(view: StepView): number {
    const chosen = this.inner.choose(view)
    const def = nonPreemptingChoice(view)
    this.decisions.push({
      actor: view.enabled[chosen],
      chosen,
      def,
      previousEnabled: view.enabled[def] === view.previous,
    })
    return chosen
  }
}

/**
 * Follows a schedule given as the sequence of clients (by index, -1 the timer) that ran at each decision. An entry
 * naming a client that cannot run now is skipped; when the guide runs out, nobody is preempted.
 */
class GuidedStrategy implements Strategy {
  readonly name = 'guided'
  private position = 0
  constructor(
    private readonly guide: readonly number[],
    private readonly firstClientId: number,
  ) {}
  choose(view: StepView): number {
    while (this.position < this.guide.length) {
      const client = this.guide[this.position++]
      const index = indexOfActor(view, client < 0 ? TIMER_ACTOR : this.firstClientId + client)
      if (index !== -1) return index
    }
    return nonPreemptingChoice(view)
  }
}

function preemptions(decisions: readonly Decision[]): number {
  let n = 0
  for (const d of decisions) if (d.previousEnabled && d.chosen !== d.def) n++
  return n
}

/** Commands a simulated client sends for an operation when every reply arrives (EVALSHA's fallback counted once). */
function operationCommands(op: Operation): number {
  switch (op.kind) {
    case 'command':
      return 1
    case 'multi':
      return op.commands.length + 2
    case 'watch':
      return 5
    case 'script':
      return 1
  }
}

export function caseSize(c: FailingCase, execution?: Execution, decisions?: readonly Decision[]): CaseSize {
  const { scenario } = c
  let commands = 0
  if (execution) {
    const clients = new Set(execution.clientIds)
    for (const op of execution.recorder.history) if (clients.has(op.client)) commands += op.calls.length
  } else {
    for (const program of scenario.programs) for (const op of program) commands += operationCommands(op)
  }
  return {
    clients: scenario.programs.length,
    operations: scenario.programs.reduce((n, p) => n + p.length, 0),
    commands,
    faults: scenario.faults.disconnects.length,
    timerEvents: scenario.timer.events,
    setup: scenario.setup.length,
    tape: c.tape.length,
    preemptions: decisions ? preemptions(decisions) : 0,
  }
}

/** A copy of the scenario with new programs (and the fault plan, sizes and scripts kept consistent with them). */
function withPrograms(scenario: Scenario, programs: Operation[][], disconnects?: DisconnectFault[]): Scenario {
  const used: Record<string, string> = {}
  for (const program of programs) {
    for (const op of program) if (op.kind === 'script') used[op.script] = scenario.scripts[op.script]
  }
  return {
    ...scenario,
    clients: programs.length,
    opsPerClient: Math.max(0, ...programs.map((p) => p.length)),
    programs,
    faults: { disconnects: (disconnects ?? scenario.faults.disconnects).filter((f) => f.client < programs.length) },
    scripts: used,
  }
}

/** A candidate scenario and how client indices of the current one map into it (-1: removed). */
interface Candidate {
  scenario: Scenario
  clientMap?: (client: number) => number
}

function withoutClient(scenario: Scenario, c: number): Candidate {
  const disconnects = scenario.faults.disconnects
    .filter((f) => f.client !== c)
    .map((f) => (f.client > c ? { ...f, client: f.client - 1 } : f))
  const shrunk = withPrograms(
    scenario,
    scenario.programs.filter((_, i) => i !== c),
    disconnects,
  )
  if (scenario.connections) shrunk.connections = scenario.connections.filter((_, i) => i !== c)
  return {
    scenario: shrunk,
    clientMap: (i) => (i === c ? -1 : i > c ? i - 1 : i),
  }
}

function withProgram(scenario: Scenario, c: number, program: Operation[]): Candidate {
  const programs = scenario.programs.slice()
  programs[c] = program
  return { scenario: withPrograms(scenario, programs) }
}

/**
 * The passes over the scenario, biggest simplifications first. Each pass takes `attempt` (which tries a candidate,
 * adopts it when it still fails and says so) and `current` (the scenario as adopted so far).
 */
type Pass = (current: () => Scenario, attempt: (c: Candidate) => Promise<boolean>) => Promise<void>

const PASSES: Pass[] = [
  // Fewer clients.
  async (current, attempt) => {
    for (let c = current().programs.length - 1; c >= 0; c--) {
      if (current().programs.length > 1) await attempt(withoutClient(current(), c))
    }
  },
  // Fewer operations: halves, quarters, ... then single operations, from the end of each program.
  async (current, attempt) => {
    for (let c = 0; c < current().programs.length; c++) {
      for (let chunk = current().programs[c].length >> 1; chunk >= 1; chunk >>= 1) {
        for (let from = current().programs[c].length - chunk; from >= 0; from -= chunk) {
          const program = current().programs[c]
          await attempt(withProgram(current(), c, [...program.slice(0, from), ...program.slice(from + chunk)]))
        }
        if (chunk === 1) {
          const program = current().programs[c]
          if (program.length > 0) await attempt(withProgram(current(), c, program.slice(1)))
        }
      }
    }
  },
  // Simpler operations.
  async (current, attempt) => {
    for (let c = 0; c < current().programs.length; c++) {
      for (let o = 0; o < current().programs[c].length; o++) {
        for (const simpler of simplerOperations(current().programs[c][o])) {
          const program = current().programs[c].slice()
          program[o] = simpler
          if (await attempt(withProgram(current(), c, program))) break
        }
      }
    }
  },
  // No faults, no timer events, less setup.
  async (current, attempt) => {
    for (let f = current().faults.disconnects.length - 1; f >= 0; f--) {
      const scenario = current()
      await attempt({
        scenario: { ...scenario, faults: { disconnects: scenario.faults.disconnects.filter((_, i) => i !== f) } },
      })
    }
    const timer = (events: number): Candidate => ({
      scenario: { ...current(), timer: { ...current().timer, events } },
    })
    if (current().timer.events > 0 && !(await attempt(timer(0)))) {
      while (current().timer.events > 1 && (await attempt(timer(current().timer.events >> 1)))) {}
    }
    for (let s = current().setup.length - 1; s >= 0; s--) {
      const scenario = current()
      await attempt({ scenario: { ...scenario, setup: scenario.setup.filter((_, i) => i !== s) } })
    }
  },
]

/**
 * The program operation behind each history operation of a run: [client index, operation index], by history id.
 * A client performs its operations in order; a WATCH-based increment is three history operations, the others one.
 */
function programPositions(scenario: Scenario, execution: Execution): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>()
  execution.clientIds.forEach((id, c) => {
    const program = scenario.programs[c]
    let o = 0
    let part = 0
    for (const op of execution.recorder.history) {
      if (op.client !== id || o >= program.length) continue
      out.set(op.id, [c, o])
      if (program[o].kind !== 'watch' || ++part === 3) {
        o++
        part = 0
      }
    }
  })
  return out
}

/**
 * Drastic first tries, from what the violation names: only the operations involved (each client keeps those of its
 * own, clients with none go), then those plus everything before them in each client's program.
 */
function focusCandidates(scenario: Scenario, execution: Execution, violation: Violation | undefined): Candidate[] {
  if (!violation || violation.operations.length === 0) return []
  const positions = programPositions(scenario, execution)
  const involved = scenario.programs.map(() => new Set<number>())
  for (const id of violation.operations) {
    const at = positions.get(id)
    if (at) involved[at[0]].add(at[1])
  }
  const kept = scenario.programs.map((_, c) => c).filter((c) => involved[c].size > 0)
  if (kept.length === 0) return []
  const clientMap = (c: number) => kept.indexOf(c)
  const disconnects = scenario.faults.disconnects
    .filter((f) => kept.includes(f.client))
    .map((f) => ({ ...f, client: kept.indexOf(f.client) }))
  const only = kept.map((c) => scenario.programs[c].filter((_, o) => involved[c].has(o)))
  const upTo = kept.map((c) => scenario.programs[c].slice(0, Math.max(...involved[c]) + 1))
  return [
    { scenario: withPrograms(scenario, only, []), clientMap },
    { scenario: withPrograms(scenario, upTo, disconnects), clientMap },
  ]
}

function* simplerOperations(op: Operation): Generator<Operation> {
  if (op.kind === 'multi') {
    if (op.commands.length === 1) yield { kind: 'command', argv: op.commands[0] }
    for (let i = op.commands.length - 1; i >= 0 && op.commands.length > 1; i--) {
      yield { kind: 'multi', commands: op.commands.filter((_, j) => j !== i) }
    }
  } else if (op.kind === 'script' && op.via === 'evalsha') {
    yield { ...op, via: 'eval' }
  }
}

/** Shrinks a failing case; null when the case does not fail (as `accept` judges) in the first place. */
export async function shrinkCase(original: FailingCase, options: ShrinkOptions = {}): Promise<ShrinkResult | null> {
  const variant = variantNamed(original.mutant)
  const budget = options.budget ?? 1500
  const searchExecutions = options.searchExecutions ?? 24
  const randomSchedules = options.randomSchedules ?? 6
  let executions = 0

  const run = async (scenario: Scenario, strategy: Strategy, full = false) => {
    executions++
    const recording = new RecordingStrategy(strategy)
    const execution = await execute({ scenario, strategy: recording, variant, maxSteps: original.maxSteps, full })
    return { execution, decisions: recording.decisions }
  }

  const first = await run(original.scenario, new TapeStrategy(original.tape))
  const target = first.execution.violations.find((v) => !HARNESS_KINDS.has(v.kind))?.kind
  const accept =
    options.accept ??
    ((violations: readonly Violation[]) => target !== undefined && violations.some((v) => v.kind === target))
  if (!accept(first.execution.violations)) return null
  const firstClientId = first.execution.clientIds[0] ?? 1
  const before = caseSize(original, first.execution, first.decisions)

  let scenario = original.scenario
  let decisions = first.decisions
  const guideOf = (ds: readonly Decision[], map?: (client: number) => number): number[] => {
    const out: number[] = []
    for (const d of ds) {
      if (d.actor === TIMER_ACTOR) out.push(-1)
      else {
        const client = map ? map(d.actor - firstClientId) : d.actor - firstClientId
        if (client >= 0) out.push(client)
      }
    }
    return out
  }

  /** Tries to make `candidate` fail; the accepted run's recorded decisions, or null. */
  const reproduce = async (candidate: Candidate): Promise<Decision[] | null> => {
    const tape = decisions.map((d) => d.chosen)
    const attempt = await run(candidate.scenario, new TapeStrategy(tape))
    if (accept(attempt.execution.violations)) return attempt.decisions
    if (executions >= budget) return null
    const guided = await run(
      candidate.scenario,
      new GuidedStrategy(guideOf(decisions, candidate.clientMap), firstClientId),
    )
    if (accept(guided.execution.violations)) return guided.decisions
    if (caseSize({ ...original, scenario: candidate.scenario }).commands <= 10) {
      const found = await search(candidate.scenario)
      if (found) return found
    }
    return sample(candidate.scenario)
  }

  /** A few seeded schedules (PCT with small depths, random walks): cheap luck for scenarios too big to search. */
  const sample = async (candidate: Scenario): Promise<Decision[] | null> => {
    const ids = candidate.programs.map((_, i) => firstClientId + i)
    const steps = Math.max(8, decisions.length)
    for (let i = 0; i < randomSchedules && executions < budget; i++) {
      const strategy = i % 3 === 2 ? new RandomWalk(i) : new Pct(i, ids, 2 + (i % 3), steps)
      const attempt = await run(candidate, strategy)
      if (accept(attempt.execution.violations)) return attempt.decisions
    }
    return null
  }

  /** Bounded exhaustive search for a failing schedule (fewest preemptions first). */
  const search = async (candidate: Scenario, limit = searchExecutions): Promise<Decision[] | null> => {
    const explorer = new DfsExplorer(2)
    for (let i = 0; i < limit && executions < budget && explorer.next(); i++) {
      const attempt = await run(candidate, explorer.strategy())
      if (accept(attempt.execution.violations)) return attempt.decisions
    }
    return null
  }

  // The scenario: run every pass, and again while a round still simplifies something.
  const attempt = async (candidate: Candidate): Promise<boolean> => {
    if (executions >= budget) return false
    const found = await reproduce(candidate)
    if (!found) return false
    scenario = candidate.scenario
    decisions = found
    return true
  }
  const targetViolation = first.execution.violations.find((v) => accept([v]))
  for (const candidate of focusCandidates(scenario, first.execution, targetViolation)) {
    if (await attempt(candidate)) break
  }
  for (let round = 0; round < 4 && executions < budget; round++) {
    const sizeBefore = JSON.stringify(caseSize({ ...original, scenario }))
    for (const pass of PASSES) await pass(() => scenario, attempt)
    if (JSON.stringify(caseSize({ ...original, scenario })) === sizeBefore) break
  }

  // The schedule: fewer preemptions (exhaustive search enumerates by preemption count), then none that are not
  // needed, then a shorter tape.
  if (preemptions(decisions) > 0 && executions < budget) {
    const found = await search(scenario, searchExecutions * 2)
    if (found && preemptions(found) < preemptions(decisions)) decisions = found
  }
  for (let i = decisions.length - 1; i >= 0 && executions < budget; i--) {
    const d = decisions[i]
    if (!d.previousEnabled || d.chosen === d.def) continue
    const tape = decisions.map((x) => x.chosen)
    tape[i] = d.def
    const attempt = await run(scenario, new TapeStrategy(tape))
    if (accept(attempt.execution.violations) && preemptions(attempt.decisions) < preemptions(decisions)) {
      decisions = attempt.decisions
      i = Math.min(i, decisions.length)
    }
  }
  // The shortest prefix whose continuation without preemptions still fails (binary search; checked at the end).
  let low = 0
  let high = decisions.length
  while (low < high && executions < budget) {
    const mid = (low + high) >> 1
    const attempt = await run(scenario, new TapeStrategy(decisions.slice(0, mid).map((d) => d.chosen)))
    if (accept(attempt.execution.violations)) high = mid
    else low = mid + 1
  }
  let tape = decisions.slice(0, high).map((d) => d.chosen)
  let final = await run(scenario, new TapeStrategy(tape), true)
  if (!accept(final.execution.violations)) {
    tape = decisions.map((d) => d.chosen)
    final = await run(scenario, new TapeStrategy(tape), true)
  }
  // The accepted violation first: it names the report and leads its summary.
  final.execution.violations.sort((a, b) => Number(accept([b])) - Number(accept([a])))
  // The exact tape the scheduler recorded: replaying it gives this run's trace hash.
  const shrunk: FailingCase = {
    scenario,
    mutant: original.mutant,
    tape: final.execution.tape,
    maxSteps: original.maxSteps,
  }
  return {
    case: shrunk,
    execution: final.execution,
    before,
    after: caseSize(shrunk, final.execution, final.decisions),
    executions,
  }
}
