/**
 * What a simulation records, behind the seam so that production pays nothing:
 *
 * - the history: each client operation's invoke and return with logical times, its input and the reply the client
 *   saw (unknown outcome, `return: null`, when the client was disconnected before the reply). It has the shape that
 *   sim/linearizability/history.ts defines (`HistoryOperation` extends its operation), plus the individual commands
 *   for reports;
 * - the execution log: every keyspace read and write in the order it happened, attributed to its client, command,
 *   script and *span* (one span per top-level command execution: a plain command, a whole EXEC, a whole script, or a
 *   timer event). The no-interleaved-writes checker reads it.
 */
import type { Engine, ExecutionFrame } from '../src/engine/engine.ts'
import type { AccessKind, AccessRecorder, Actor } from '../src/engine/seam.ts'
import { NilArray, type Reply, ReplyError, SimpleString } from '../src/protocol/reply.ts'
import type { ConnectionBreach } from './connections.ts'

import type { HistoryOperation as CheckedOperation, HistoryReply, OperationInput } from './linearizability/history.ts'

/** The history's types are the linearizability checker's (its JSON form is the one race reports store). */
export type { HistoryReply, OperationInput }

export interface HistoryCall {
  argv: string[]
  reply?: HistoryReply
}

/**
 * One operation as the simulator records it: the checker's operation (invoke, return, input, output; `return: null`
 * when the client disconnected before seeing the reply), with a dense id, the engine client id, and the commands sent.
 */
export interface HistoryOperation extends CheckedOperation<OperationInput, HistoryReply> {
  /** The operation's index in the history. */
  id: number
  /** The simulated client's id (its engine client id). */
  client: number
  /** The commands actually sent for this operation, with their replies (EVALSHA then EVAL, MULTI ... EXEC). */
  calls: HistoryCall[]
}

export interface Access {
  seq: number
  /** Logical time of the access (the time of the last history or trace event before it). */
  t: number
  kind: AccessKind
  db: number
  key: string
  /** Client id, or 0 for a timer event. */
  client: number
  /** The command doing the access (`set`, or `get` inside a script). */
  command: string
  /** SHA of the script the access happened in, or null. */
  script: string | null
  span: number
}

export interface Span {
  id: number
  client: number
  /** The top-level command: `exec`, `evalsha`, `set`, ... or `timer`. */
  command: string
  /** The history operation the client was performing, or -1. */
  op: number
  /** Whether the span must be atomic: EXEC and scripts (every plain command is, trivially). */
  atomic: boolean
}

/**
 * One command as the server executed it, for the witness check: the lock serial it ran under (the order of
 * lock-acquired points), the virtual time then, and the reply the server produced (even when the client never got it).
 */
export interface ServerCall {
  client: number
  /** The history operation this command belongs to. */
  op: number
  argv: string[]
  /** Position in the executor's serial order, or -1 when the command never took the lock (QUEUED, rejected). */
  serial: number
  /** The engine clock when the command's handler started (after any wait and park since taking the lock). */
  time: number
  /** The handler has started: `time` is final. */
  started: boolean
  reply: Reply | undefined
  /** The client disconnected before the command took the lock: the executor dropped it. */
  dropped: boolean
}

/** A timer event in the serial order: the clock moved to `time`; `cron` when active expiry ran (the lock was free). */
export interface TimerEvent {
  timer: true
  time: number
  cron: boolean
}

const ATOMIC_COMMANDS = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'])

export class Recorder implements AccessRecorder {
  readonly history: HistoryOperation[] = []
  readonly log: Access[] = []
  readonly spans: Span[] = []
  /** The operation each client is performing, by client id. */
  readonly inflight: number[] = []
  engine: Engine | null = null
  /** Logical time, shared with the scheduler's trace. */
  time = 0
  private lastOuter: ExecutionFrame | undefined = undefined
  private lastSpan = -1
  private readonly spanOf = new Map<ExecutionFrame, number>()
  /** Set while a timer event runs: its accesses form their own span. */
  timerSpan = -1
  private inTimer = false
  /** Every command sent, in sending order. */
  readonly calls: ServerCall[] = []
  /** Commands that took the lock and timer events, in the order they happened: the executor's serial order. */
  readonly serialOrder: Array<ServerCall | TimerEvent> = []
  /** The command each client has in flight, by client id. */
  private readonly current: Array<ServerCall | undefined> = []
  /** Broken promises of pipelining connections, as their taps saw them (sim/connections.ts). */
  readonly connectionBreaches: ConnectionBreach[] = []
  /** A command ran in the middle of a busy script, under its lease (see commandStarted). */
  ranInsideBusyScript = false
  /** A timer moved the clock while someone held the lock (time passed inside a command). */
  clockMovedUnderLease = false

  readonly tick = (): number => ++this.time

  access(kind: AccessKind, db: number, key: string): void {
    const engine = this.engine!
    // During a timer event every access is the cron's, even when (in a mutant) it runs inside someone's lease.
    const current = this.inTimer ? undefined : engine.currentFrame
    if (!current) {
      if (this.timerSpan === -1) this.timerSpan = this.newSpan(0, 'timer', false)
      this.log.push({
        seq: this.log.length,
        t: this.time,
        kind,
        db,
        key,
        client: 0,
        command: 'timer',
        script: null,
        span: this.timerSpan,
      })
      return
    }
    const outer = engine.outerFrame ?? current
    if (outer !== this.lastOuter) {
      this.lastOuter = outer
      let span = this.spanOf.get(outer)
      if (span === undefined) {
        span = this.newSpan(outer.client.id, outer.command, ATOMIC_COMMANDS.has(outer.command))
        this.spanOf.set(outer, span)
      }
      this.lastSpan = span
    }
    this.log.push({
      seq: this.log.length,
      t: this.time,
      kind,
      db,
      key,
      client: current.client.id,
      command: current.command,
      script: current.script ? current.script.sha : null,
      span: this.lastSpan,
    })
  }

  /** Ends the current timer span (the next timer event starts a new one). */
  /** A timer event starts: accesses until `endTimer` are its own. */
  beginTimer(): void {
    this.inTimer = true
  }

  endTimer(): void {
    this.inTimer = false
    this.timerSpan = -1
  }

  private newSpan(client: number, command: string, atomic: boolean): number {
    const id = this.spans.length
    this.spans.push({ id, client, command, op: client === 0 ? -1 : (this.inflight[client] ?? -1), atomic })
    return id
  }

  invoke(client: number, input: OperationInput): HistoryOperation {
    const op: HistoryOperation = {
      id: this.history.length,
      client,
      invoke: this.tick(),
      return: null,
      input,
      calls: [],
    }
    this.history.push(op)
    this.inflight[client] = op.id
    return op
  }

  /** The operation returned `output` (`converted`: its `historyReply` form, when the caller already has it). */
  complete(op: HistoryOperation, output: Reply, converted?: HistoryReply): void {
    op.return = this.tick()
    op.output = converted !== undefined ? converted : historyReply(output)
    this.inflight[op.client] = -1
  }

  startCall(client: number, op: number, argv: string[]): ServerCall {
    const call: ServerCall = { client, op, argv, serial: -1, time: 0, started: false, reply: undefined, dropped: false }
    this.calls.push(call)
    this.current[client] = call
    return call
  }

  /** The client's command has just taken the lock (its first acquisition, under a mutant that takes it repeatedly). */
  commandStarted(client: Actor, now: number): void {
    const call = this.current[client.id]
    if (!call || call.started) return
    // Running without having taken the lock: a command a busy script lets through (WATCH, SCRIPT KILL, ...), under
    // the script's lease, in the middle of the script. No serial order can place it; the witness says so.
    if (call.serial === -1) {
      this.ranInsideBusyScript = true
      return
    }
    call.started = true
    call.time = now
  }

  lockAcquired(client: number, now: number): void {
    const call = this.current[client]
    if (!call || call.serial !== -1) return
    call.serial = this.serialOrder.length
    call.time = now
    this.serialOrder.push(call)
  }

  /**
   * The client disconnected before its in-flight command got past the lock (arriving, waiting, or parked right after
   * acquiring): the executor will drop that command without running it.
   */
  dropCurrent(client: number): void {
    const call = this.current[client]
    if (call) call.dropped = true
  }

  timerEvent(now: number, cron: boolean): void {
    this.serialOrder.push({ timer: true, time: now, cron })
  }

  /** The virtual clock's time at the start of the run or after a timer event: an instant operation of client 0. */
  clockEvent(now: number): void {
    const t = this.tick()
    this.history.push({
      id: this.history.length,
      client: 0,
      invoke: t,
      return: t,
      input: { clock: now },
      output: null,
      calls: [],
    })
  }

  /** The client lost its connection: the outcome stays unknown. */
  abandon(op: HistoryOperation): void {
    this.inflight[op.client] = -1
  }
}

export function historyReply(reply: Reply): HistoryReply {
  if (reply === null) return null
  if (Buffer.isBuffer(reply)) return reply.toString('latin1')
  if (typeof reply === 'string' || typeof reply === 'number') return reply
  if (typeof reply === 'bigint') return Number(reply)
  if (Array.isArray(reply)) return reply.map(historyReply)
  if (reply instanceof ReplyError) return { error: reply.message }
  if (reply instanceof SimpleString) return reply.value
  if (reply instanceof NilArray) return null
  // RESP3-only types never reach a RESP2 simulated client; keep their text rather than fail.
  return String(reply)
}
