/**
 * The checker interface: a checker is a pure function from a recorded run to the violations it finds, and declares the
 * kinds of violation it can report. The simulator runs every registered checker on every execution; the
 * linearizability checker and workload invariants are among them by adding entries to `CHECKERS` in ./index.ts.
 */
import type { Engine } from '../../src/engine/engine.ts'
import type { ConnectionBreach } from '../connections.ts'
import type { Access, HistoryOperation, ServerCall, Span, TimerEvent } from '../recorder.ts'
import type { Outcome } from '../scheduler.ts'
import type { Scenario } from '../workloads.ts'
import type { PropertyName } from './properties.ts'
import type { ViolationKind } from './registry.ts'

export type { ViolationKind }

/** One kind of violation, declared once by the checker that reports it (./registry.ts collects them). */
export interface KindSpec<Kind extends string = string> {
  readonly kind: Kind
  /** The property a violation of this kind falsifies; null for a kind no single property run can report. */
  readonly property: PropertyName | null
  /**
   * Whether a violation of this kind counts as catching a mutant. Not for kinds that say the run could not be judged
   * or the harness itself broke, nor for an internal error (a crash is not the race a mutant plants).
   */
  readonly catches: boolean
  /** The simulation itself failed rather than the server misbehaving: never a target for shrinking. */
  readonly harness?: boolean
  /** What it means, one sentence for the docs' table. */
  readonly description: string
}

/** Whatever reports violations: a checker, the seed runner (two runs of one seed), or race reports (./registry.ts). */
export interface KindSource {
  readonly name: string
  readonly kinds: readonly KindSpec[]
}

export interface Violation {
  /**
   * A registered kind (./registry.ts; test/sim/violation-kinds.test.ts checks every kind the sources report). Reports
   * may present a refinement of one, and read back from JSON any string.
   */
  kind: ViolationKind | (string & {})
  /** One line for the summary. */
  message: string
  /** Ids of the history operations involved. */
  operations: number[]
  /** Client ids involved. */
  clients: number[]
  /** Keys involved. */
  keys: string[]
  /** Execution-log sequence numbers of the offending accesses (highlighted in the HTML report). */
  accesses: number[]
}

export interface RecordedRun {
  readonly scenario: Scenario
  readonly outcome: Outcome
  readonly steps: number
  readonly history: readonly HistoryOperation[]
  readonly log: readonly Access[]
  readonly spans: readonly Span[]
  /** The engine after the run, for end-state checks (lock holder, keyspace). */
  readonly engine: Engine
  /** Client ids of the simulated clients, in scenario order. */
  readonly clientIds: readonly number[]
  /** Every command sent, with the server's reply and its place in the executor's serial order. */
  readonly calls: readonly ServerCall[]
  /** Commands that took the lock, and timer events, in the order they happened. */
  readonly serialOrder: ReadonlyArray<ServerCall | TimerEvent>
  /** Virtual time passed while a command held the lock (the witness replays each command at its start instant). */
  readonly clockMovedUnderLease: boolean
  /**
   * A command ran in the middle of a busy script, under the script's lease (Redis lets WATCH, SCRIPT KILL and a few
   * others through): it belongs to no point of a serial order, so the witness cannot replay the run.
   */
  readonly ranInsideBusyScript?: boolean
  /** Pipelining connections that ran a command out of order, overlapped two, or misdelivered a reply. */
  readonly connectionBreaches?: readonly ConnectionBreach[]
}

export interface Checker extends KindSource {
  check(run: RecordedRun): Violation[] | Promise<Violation[]>
}

export function violation(
  kind: ViolationKind | (string & {}),
  message: string,
  extra: Partial<Violation> = {},
): Violation {
  return { kind, message, operations: [], clients: [], keys: [], accesses: [], ...extra }
}
