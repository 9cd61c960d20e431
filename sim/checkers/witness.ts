/**
 * The witness check: the executor's actual serial order (the order in which commands took the lock, with timer events
 * in between) must (1) respect real time: an operation that returned before another was invoked comes first; and
 * (2) be a valid sequential execution: replaying the commands one at a time in that order, on a fresh engine with the
 * same clock readings and random seed, reproduces every reply the server gave.
 *
 * It is a fast, white-box complement to the linearizability checker: linear in the run, but it trusts the
 * serial order the executor reports. Commands that never took the lock (QUEUED, rejected) only change their own
 * client's state and are replayed in their client's order. A run whose clock moved while a command held the lock is
 * not replayed: a whole-command replay cannot put that clock change back mid-command.
 */
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { unwatchAll } from '../../src/keyspace/watch.ts'
import { seededRandom } from '../../src/engine/random.ts'
import type { Client } from '../../src/engine/client.ts'
import { type Reply, ReplyError, SimpleString } from '../../src/protocol/reply.ts'
import { toArgv } from '../../src/server/local-connection.ts'
import type { HistoryOperation, ServerCall } from '../recorder.ts'
import { replyText } from '../trace-hash.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

function realTime(run: RecordedRun): Violation[] {
  // Serial range of each history operation, by operation id (the recorder's ids are history indexes).
  let n = 0
  for (const op of run.history) if (op.id >= n) n = op.id + 1
  for (const call of run.calls) if (call.op >= n) n = call.op + 1
  const min = new Int32Array(n).fill(-1)
  const max = new Int32Array(n).fill(-1)
  for (const call of run.calls) {
    const serial = call.serial
    if (serial < 0) continue
    if (min[call.op] === -1 || serial < min[call.op]) min[call.op] = serial
    if (serial > max[call.op]) max[call.op] = serial
  }
  // The history is recorded in invoke order, and return times come from the same logical clock.
  const ops: HistoryOperation[] = []
  const byReturn: HistoryOperation[] = []
  for (const op of run.history) {
    if (min[op.id] === -1) continue
    ops.push(op)
    if (op.return !== null) byReturn.push(op)
  }
  ops.sort((a, b) => a.invoke - b.invoke)
  byReturn.sort((a, b) => a.return! - b.return!)
  let i = 0
  let latest = -1
  let latestOp = -1
  for (const op of ops) {
    while (i < byReturn.length && byReturn[i].return! < op.invoke) {
      const m = max[byReturn[i].id]
      if (m > latest) {
        latest = m
        latestOp = byReturn[i].id
      }
      i++
    }
    if (latest >= min[op.id]) {
      return [
        violation(
          'witness-mismatch',
          `serial order contradicts real time: operation #${latestOp} returned before #${op.id} was invoked, but ran after it`,
          { operations: [latestOp, op.id] },
        ),
      ]
    }
  }
  return []
}

/**
 * Replays the serial order on a fresh engine. Commands go straight to the executor (no connection queue): the
 * replay engine has the production seam and nothing contends, so nearly every command answers synchronously and
 * costs no promise; the rare one that does not is awaited.
 */
async function replay(run: RecordedRun): Promise<Violation[]> {
  const clock = new ManualClock()
  const engine = new Engine({
    clock,
    random: seededRandom(`${run.scenario.seed}:engine`),
    logger: () => {},
    config: run.scenario.config,
  })
  const executor = engine.executor
  // Same connection order as the simulation, so that client ids match.
  const clients: Array<Client | undefined> = []
  for (const id of run.clientIds) clients[id] = engine.createClient('sim')
  if (run.scenario.setup.length > 0) {
    const setup = engine.createClient('sim')
    for (const argv of run.scenario.setup) {
      const reply = executor.execute(setup, toArgv(argv))
      if (reply instanceof Promise) await reply
    }
    engine.removeClient(setup)
  }
  // Each client's commands in its own order; the ones that took the lock are the anchors of the global order.
  const pending: ServerCall[][] = []
  for (const call of run.calls) {
    if (call.dropped || call.reply === undefined) continue
    const list = pending[call.client]
    if (list) list.push(call)
    else pending[call.client] = [call]
  }
  const position: number[] = []
  const perform = async (call: ServerCall): Promise<Violation | null> => {
    const client = clients[call.client]
    if (!client) return null
    // Refused because a script was busy: it never ran, and replaying it on an idle engine would run it. Inside MULTI
    // the refusal flagged the transaction (EXEC then answers EXECABORT); a refused EXEC discarded it.
    const refusal = busyRefusal(call.reply)
    if (refusal === 'command') {
      if (client.multi) client.multi.aborted = true
      return null
    }
    if (refusal === 'exec') {
      client.multi = null
      unwatchAll(engine.keyspace, client)
      return null
    }
    const answer = executor.execute(client, toArgv(call.argv))
    // Nothing else runs in a replay, so only a blocking command finding nothing can wait. The server answered it at
    // this point of its order; a replay that must wait here proves the order wrong (and would wait forever).
    if (answer instanceof Promise && engine.blocking.isBlocked(client)) {
      engine.removeClient(client)
      clients[call.client] = undefined
      return violation(
        'witness-mismatch',
        `replaying the serial order, client #${call.client} ${call.argv[0]}${call.serial >= 0 ? ` (serial ${call.serial})` : ''} ` +
          `finds nothing to serve it and blocks, where the server said ${replyText(call.reply!).slice(0, 80)}`,
        { clients: [call.client], operations: [call.op] },
      )
    }
    const got = answer instanceof Promise ? await answer : answer
    // A CLIENT PAUSE already shaped the serial order (held-back commands took the lock later); the replay, which
    // runs that order, must not hold anything back again.
    if (engine.clientPause.active) engine.clientPause.unpause()
    return sameReply(call.reply!, got) ? null : mismatch(call, got)
  }
  /** Performs the client's lock-free commands (QUEUED, rejected) up to `stop` (exclusive), or all that are left. */
  const flushUntil = async (client: number, stop: ServerCall | null): Promise<Violation | null> => {
    const list = pending[client]
    if (!list) return null
    let i = position[client] ?? 0
    for (; i < list.length && list[i] !== stop; i++) {
      if (list[i].serial >= 0) continue
      const bad = await perform(list[i])
      if (bad) return bad
    }
    position[client] = stop ? i + 1 : i
    return null
  }
  for (const entry of run.serialOrder) {
    if ('timer' in entry) {
      clock.set(entry.time)
      if (entry.cron) engine.runCron()
      continue
    }
    if (entry.dropped || entry.reply === undefined) continue
    const before = await flushUntil(entry.client, entry)
    if (before) return [before]
    clock.set(entry.time)
    const bad = await perform(entry)
    if (bad) return [bad]
  }
  for (let client = 0; client < pending.length; client++) {
    const bad = await flushUntil(client, null)
    if (bad) return [bad]
  }
  return []
}

function mismatch(call: ServerCall, got: Reply): Violation {
  const expected = replyText(call.reply!)
  const actual = replyText(got)
  return violation(
    'witness-mismatch',
    `replaying the serial order gives a different reply for client #${call.client} ${call.argv[0]}` +
      `${call.serial >= 0 ? ` (serial ${call.serial})` : ''}: the server said ${expected.slice(0, 80)}, a sequential run says ${actual.slice(0, 80)}`,
    { clients: [call.client], operations: [call.op] },
  )
}

/**
 * Whether two replies are the same, as their `replyText` forms would be: the common shapes are compared directly,
 * without building text; anything else falls back to comparing the text.
 */
export function sameReply(a: Reply, b: Reply): boolean {
  if (a === b) return true
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b)
  if (typeof a === 'number' || typeof b === 'number' || a === null || b === null) {
    // Different numbers, or a number or nil against anything else (equal ones returned above).
    if (typeof a === 'number' && typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b
    if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && a === BigInt(b)
    return false
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameReply(a[i], b[i])) return false
    return true
  }
  if (a instanceof ReplyError && b instanceof ReplyError) return a.message === b.message
  if (a instanceof SimpleString && b instanceof SimpleString) return a.value === b.value
  return replyText(a) === replyText(b)
}

export const witness = {
  name: 'witness',
  kinds: [
    {
      kind: 'witness-mismatch',
      property: 'clean-run',
      catches: true,
      description:
        "the executor's serial order contradicts real time, or replaying it one command at a time gives another reply",
    },
  ],
  async check(run: RecordedRun): Promise<Violation[]> {
    // A command that ran inside a busy script has no place in a serial replay; linearizability still judges the run.
    if (run.outcome.kind !== 'done' || run.ranInsideBusyScript) return []
    const order = realTime(run)
    if (order.length > 0) return order
    return replay(run)
  },
} as const satisfies Checker

/** Whether a reply is a refusal because a script was busy: of a command, or of EXEC (which then discards). */
function busyRefusal(reply: Reply | undefined): 'command' | 'exec' | null {
  if (!(reply instanceof ReplyError)) return null
  if (reply.message.startsWith('BUSY ')) return 'command'
  if (reply.message.startsWith('EXECABORT Transaction discarded because of: BUSY ')) return 'exec'
  return null
}
