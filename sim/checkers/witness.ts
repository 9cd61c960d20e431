/**
 * The witness check: the executor's actual serial order (the order in which commands took the lock, with timer events
 * in between) must (1) respect real time: an operation that returned before another was invoked comes first; and
 * (2) be a valid sequential execution: replaying the commands one at a time in that order, on a fresh engine with the
 * same clock readings and random seed, reproduces every reply the server gave.
 *
 * It is a fast, white-box complement to the linearizability checker (issue 5): linear in the run, but it trusts the
 * serial order the executor reports. Commands that never took the lock (QUEUED, rejected) only change their own
 * client's state and are replayed in their client's order. A run whose clock moved while a command held the lock is
 * not replayed: a whole-command replay cannot put that clock change back mid-command.
 */
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { LocalConnection, toArgv } from '../../src/server/local-connection.ts'
import type { ServerCall } from '../recorder.ts'
import { replyText } from '../trace-hash.ts'
import type { Checker, RecordedRun, Violation } from './types.ts'
import { violation } from './types.ts'

function realTime(run: RecordedRun): Violation[] {
  // Serial range of each history operation.
  const min = new Map<number, number>()
  const max = new Map<number, number>()
  for (const call of run.calls) {
    if (call.serial < 0) continue
    min.set(call.op, Math.min(min.get(call.op) ?? call.serial, call.serial))
    max.set(call.op, Math.max(max.get(call.op) ?? call.serial, call.serial))
  }
  const ops = run.history.filter((op) => min.has(op.id))
  const byReturn = ops.filter((op) => op.return !== null).sort((a, b) => a.return! - b.return!)
  const byInvoke = [...ops].sort((a, b) => a.invoke - b.invoke)
  let i = 0
  let latest = -1
  let latestOp = -1
  for (const op of byInvoke) {
    while (i < byReturn.length && byReturn[i].return! < op.invoke) {
      const m = max.get(byReturn[i].id)!
      if (m > latest) {
        latest = m
        latestOp = byReturn[i].id
      }
      i++
    }
    if (latest >= min.get(op.id)!) {
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

async function replay(run: RecordedRun): Promise<Violation[]> {
  const clock = new ManualClock()
  const engine = new Engine({ clock, random: seededRandom(`${run.scenario.seed}:engine`), logger: () => {} })
  // Same connection order as the simulation, so that client ids match.
  const conns = new Map<number, LocalConnection>()
  for (const id of run.clientIds) conns.set(id, new LocalConnection(engine, 'sim'))
  if (run.scenario.setup.length > 0) {
    const setup = new LocalConnection(engine, 'sim')
    for (const argv of run.scenario.setup) await setup.send(toArgv(argv))
    setup.close()
  }
  // Each client's commands in its own order; the ones that took the lock are the anchors of the global order.
  const pending = new Map<number, ServerCall[]>()
  for (const call of run.calls) {
    if (call.dropped || call.reply === undefined) continue
    let list = pending.get(call.client)
    if (!list) pending.set(call.client, (list = []))
    list.push(call)
  }
  const position = new Map<number, number>()
  const perform = async (call: ServerCall): Promise<Violation | null> => {
    const conn = conns.get(call.client)
    if (!conn) return null
    const got = await conn.send(toArgv(call.argv))
    const expected = replyText(call.reply!)
    const actual = replyText(got)
    if (expected === actual) return null
    return violation(
      'witness-mismatch',
      `replaying the serial order gives a different reply for client #${call.client} ${call.argv[0]}` +
        `${call.serial >= 0 ? ` (serial ${call.serial})` : ''}: the server said ${expected.slice(0, 80)}, a sequential run says ${actual.slice(0, 80)}`,
      { clients: [call.client], operations: [call.op] },
    )
  }
  const flushUntil = async (client: number, stop: ServerCall | null): Promise<Violation | null> => {
    const list = pending.get(client) ?? []
    let i = position.get(client) ?? 0
    for (; i < list.length && list[i] !== stop; i++) {
      if (list[i].serial >= 0) continue
      const bad = await perform(list[i])
      if (bad) return bad
    }
    position.set(client, stop ? i + 1 : i)
    return null
  }
  for (const entry of run.serialOrder) {
    if ('timer' in entry) {
      clock.set(entry.time)
      if (entry.cron) engine.cron()
      continue
    }
    if (entry.dropped || entry.reply === undefined) continue
    const before = await flushUntil(entry.client, entry)
    if (before) return [before]
    clock.set(entry.time)
    const bad = await perform(entry)
    if (bad) return [bad]
  }
  for (const client of pending.keys()) {
    const bad = await flushUntil(client, null)
    if (bad) return [bad]
  }
  return []
}

export const witness: Checker = {
  name: 'witness',
  async check(run: RecordedRun): Promise<Violation[]> {
    if (run.outcome.kind !== 'done' || run.clockMovedUnderLease) return []
    const order = realTime(run)
    if (order.length > 0) return order
    return replay(run)
  },
}
