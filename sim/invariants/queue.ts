import type { History, HistoryReply } from '../linearizability/history.ts'
import { indexed, type InvariantViolation, isError, mayExpire, type Op, returnOf, writtenKeys } from './types.ts'

/**
 * Queue elements are conserved. Producers push unique elements (RPUSH or LPUSH of one value) onto queue keys;
 * consumers take them off (LPOP, RPOP, BLPOP, BRPOP: consumed) or move them to another queue (LMOVE, RPOPLPUSH,
 * BLMOVE, BRPOPLPUSH: still queued). With the queues' contents at the end of the run:
 *  - no element is consumed twice, consumed and still queued, or queued twice;
 *  - no element is lost: each one pushed is consumed or still queued, except as many as the consuming operations of
 *    unknown outcome (the client disconnected before the reply) may have taken, and the pushes of unknown outcome
 *    may never have happened;
 *  - a consumed element was pushed by an operation invoked before the consumer returned.
 * Commands inside an EXEC count with EXEC's reply (a nil or error reply: nothing ran). If anything else writes a
 * queue key (DEL, a script, an expiry...), the check is skipped: the linearizability checker still covers it.
 */

export interface QueueOptions {
  /** The contents of `key` at the end of the run, head first (undefined when it holds no list). */
  final: (key: string) => readonly string[] | undefined
}

const PUSHES = new Set(['RPUSH', 'LPUSH'])
const CONSUMES = new Set(['LPOP', 'RPOP', 'BLPOP', 'BRPOP'])
const MOVES = new Set(['LMOVE', 'RPOPLPUSH', 'BLMOVE', 'BRPOPLPUSH'])
const READS = new Set(['LLEN', 'LRANGE', 'LINDEX'])

type Role = 'push' | 'consume' | 'move' | 'read' | 'other'

/** A command's role for queues, by its name as written (remembered: names are upper-cased once). */
function roleOf(name: string): Role {
  let role = roles.get(name)
  if (role === undefined) {
    const upper = name.toUpperCase()
    role = PUSHES.has(upper)
      ? 'push'
      : CONSUMES.has(upper)
        ? 'consume'
        : MOVES.has(upper)
          ? 'move'
          : READS.has(upper)
            ? 'read'
            : 'other'
    roles.set(name, role)
  }
  return role
}
const roles = new Map<string, Role>()

interface Command {
  argv: readonly string[]
  /** undefined: outcome unknown. */
  reply: HistoryReply | undefined
  op: Op
  id: number
}

/** The commands of an operation with their own replies (the EXEC reply's items for a MULTI block). */
function commandsOf(op: Op, id: number): Command[] | null {
  const input = op.input
  const known = op.return !== null && op.return !== undefined
  if ('argv' in input) return [{ argv: input.argv, reply: known ? op.output : undefined, op, id }]
  if ('multi' in input) {
    if (!known) return input.multi.map((argv) => ({ argv, reply: undefined, op, id }))
    if (!Array.isArray(op.output)) return [] // aborted or refused: nothing ran
    const replies = op.output
    return input.multi.map((argv, i) => ({ argv, reply: replies[i], op, id }))
  }
  return null
}

/** Whether an operation has a queue command (checked without allocating: most histories have none). */
function touchesQueues(op: Op): boolean {
  const input = op.input
  if ('argv' in input) return isQueueCommand(input.argv[0])
  if ('multi' in input) for (const argv of input.multi) if (isQueueCommand(argv[0])) return true
  return false
}

function isQueueCommand(name: string): boolean {
  const role = roleOf(name)
  return role !== 'other' && role !== 'read'
}

export function checkQueues(history: History, options: QueueOptions): InvariantViolation[] {
  if (!history.some(touchesQueues)) return []
  const queueKeys = new Set<string>()
  const commands: Command[] = []
  const entries = indexed(history)
  for (const { op, id } of entries) {
    const list = commandsOf(op, id)
    if (list === null) continue
    for (const command of list) {
      const role = roleOf(command.argv[0])
      if (role === 'other' || role === 'read') continue
      queueKeys.add(command.argv[1])
      if (role === 'move') queueKeys.add(command.argv[2])
      commands.push(command)
    }
  }
  if (commands.length === 0) return []
  // Anything else that writes a queue key (or may expire it) leaves the queues to the linearizability checker.
  for (const { op, id } of entries) {
    if ('clock' in op.input) continue
    const list = commandsOf(op, id)
    const others =
      list === null
        ? [op.input]
        : list.filter((c) => roleOf(c.argv[0]) === 'other').map((c) => ({ argv: c.argv as string[] }))
    for (const input of others) {
      for (const key of writtenKeys(input)) if (queueKeys.has(key)) return []
      for (const key of queueKeys) if (mayExpire(input, key)) return []
    }
  }

  // Pushed elements (only values pushed exactly once can be followed), consumed ones, unknown consumers.
  const pushed = new Map<string, Command | null>()
  const consumed = new Map<string, Command[]>()
  let unknownConsumers = 0
  for (const command of commands) {
    const { argv, reply } = command
    const name = argv[0].toUpperCase()
    if (PUSHES.has(name)) {
      if (isError(reply)) continue
      for (const value of argv.slice(2)) pushed.set(value, pushed.has(value) ? null : command)
      continue
    }
    if (!CONSUMES.has(name)) continue
    if (reply === undefined) {
      unknownConsumers += name === 'LPOP' || name === 'RPOP' ? countArg(argv) : 1
      continue
    }
    for (const value of consumedValues(name, reply)) {
      let list = consumed.get(value)
      if (!list) consumed.set(value, (list = []))
      list.push(command)
    }
  }
  const queued = new Map<string, number>()
  for (const key of queueKeys) {
    for (const value of options.final(key) ?? []) queued.set(value, (queued.get(value) ?? 0) + 1)
  }

  const violations: InvariantViolation[] = []
  const report = (message: string, operations: number[], keys: string[]) =>
    violations.push({ invariant: 'queue', message, operations, keys })
  let lost = 0
  const lostOps: number[] = []
  for (const [value, push] of pushed) {
    if (push === null) continue
    const takers = consumed.get(value) ?? []
    const left = queued.get(value) ?? 0
    const key = push.argv[1]
    if (takers.length + left > 1) {
      const where = left > 0 ? `, and ${left} cop${left === 1 ? 'y is' : 'ies are'} still queued` : ''
      report(
        `element ${JSON.stringify(value)} (pushed by operation ${push.id}) was popped ${takers.length} time(s)${where}`,
        [push.id, ...takers.map((t) => t.id)],
        [key],
      )
    }
    for (const taker of takers) {
      if (push.op.invoke > returnOf(taker.op)) {
        report(
          `operation ${taker.id} popped ${JSON.stringify(value)} before operation ${push.id} pushed it`,
          [taker.id, push.id],
          [key],
        )
      }
    }
    if (takers.length === 0 && left === 0 && push.reply !== undefined) {
      lost++
      lostOps.push(push.id)
    }
  }
  if (lost > unknownConsumers) {
    report(
      `${lost} acknowledged element(s) are neither popped nor still queued, and only ${unknownConsumers} pop(s) of ` +
        'unknown outcome could have taken them',
      lostOps,
      [...queueKeys],
    )
  }
  return violations
}

/** LPOP/RPOP key [count]: how many elements one call may take. */
function countArg(argv: readonly string[]): number {
  if (argv.length < 3) return 1
  const n = Number(argv[2])
  return Number.isInteger(n) && n > 0 ? n : 1
}

/** The elements a consuming command's reply says it took. */
function consumedValues(name: string, reply: HistoryReply): string[] {
  if (reply === null || isError(reply)) return []
  if (name === 'BLPOP' || name === 'BRPOP') {
    return Array.isArray(reply) && typeof reply[1] === 'string' ? [reply[1]] : []
  }
  if (typeof reply === 'string') return [reply]
  if (Array.isArray(reply)) return reply.filter((item): item is string => typeof item === 'string')
  return []
}
