/**
 * The checker interface: a checker is a pure function from a recorded run to the violations it finds. The simulator
 * runs every registered checker on every execution; the linearizability checker and workload invariants are among them
 * by adding entries to `CHECKERS` in ./index.ts.
 */
import type { Engine } from '../../src/engine/engine.ts'
import type { ConnectionBreach } from '../connections.ts'
import type { Access, HistoryOperation, ServerCall, Span, TimerEvent } from '../recorder.ts'
import type { Outcome } from '../scheduler.ts'
import type { Scenario } from '../workloads.ts'

export type ViolationKind =
  | 'deadlock'
  | 'livelock'
  | 'interleaved-writes'
  | 'leaked-lease'
  | 'internal-error'
  | 'witness-mismatch'
  | 'nondeterminism'
  | 'sim-error'
  | 'connection-order'
  | (string & {})

export interface Violation {
  kind: ViolationKind
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

export interface Checker {
  readonly name: string
  check(run: RecordedRun): Violation[] | Promise<Violation[]>
}

export function violation(kind: ViolationKind, message: string, extra: Partial<Violation> = {}): Violation {
  return { kind, message, operations: [], clients: [], keys: [], accesses: [], ...extra }
}
