import type { History, HistoryOperation, HistoryReply, OperationInput } from '../linearizability/history.ts'
import { commandKeys } from '../model/command-table.ts'

/**
 * Workload invariants: cheap properties of a history that hold for a correct server whatever the interleaving, each
 * about one workload (transfers, counters, locks, list appends). They need no search, so they scale to any history,
 * and they name the workload's own terms in their reports ("an acknowledged increment is missing").
 *
 * Each invariant only judges keys that its workload owns: if anything else writes such a key, the invariant does not
 * hold by design and the key is skipped (the linearizability checker still covers it).
 */

export interface InvariantViolation {
  invariant: 'transfer-total' | 'counter' | 'lock-exclusive' | 'list-append' | 'queue'
  message: string
  /** Ids of the operations involved. */
  operations: number[]
  keys: string[]
}

export type Op = HistoryOperation<OperationInput, HistoryReply>

export function opId(op: Op, index: number): number {
  return op.id ?? index
}

/** The operation's return time, Infinity when its outcome is unknown. */
export function returnOf(op: Op): number {
  return op.return === null || op.return === undefined ? Number.POSITIVE_INFINITY : op.return
}

export function isError(reply: HistoryReply | undefined): boolean {
  return typeof reply === 'object' && reply !== null && !Array.isArray(reply)
}

/** Commands that never write (anything else may write its keys). */
const READ_ONLY = new Set([
  'GET',
  'MGET',
  'EXISTS',
  'TYPE',
  'STRLEN',
  'LRANGE',
  'LLEN',
  'LINDEX',
  'ZCARD',
  'ZCOUNT',
  'ZRANGE',
  'PTTL',
  'TTL',
  'WATCH',
])

function commandWrites(argv: readonly string[]): string[] {
  if (isReadOnly(argv[0])) return []
  try {
    return commandKeys(argv)
  } catch {
    return argv.slice(1) // a command outside the model: assume it may write any of its arguments
  }
}

/** READ_ONLY membership by the name as written (`GET`, `get`...), remembered so that names are upper-cased once. */
function isReadOnly(name: string): boolean {
  let readOnly = readOnlyByName.get(name)
  if (readOnly === undefined) readOnlyByName.set(name, (readOnly = READ_ONLY.has(name.toUpperCase())))
  return readOnly
}
const readOnlyByName = new Map<string, boolean>()

/** The keys an operation may write (scripts: all their KEYS; a clock tick: none, expiry aside). */
export function writtenKeys(input: OperationInput): readonly string[] {
  if ('clock' in input) return []
  if ('script' in input) return input.keys
  if ('multi' in input) return input.multi.flatMap(commandWrites)
  return commandWrites(input.argv)
}

/** Whether a history uses expiry on `key` (an expiring key can vanish, which workload invariants do not model). */
export function mayExpire(input: OperationInput, key: string): boolean {
  if ('multi' in input) {
    for (const argv of input.multi) if (setsExpiry(argv, key)) return true
    return false
  }
  return 'argv' in input && setsExpiry(input.argv, key)
}

/** Whether the command may give `key` an expiry (checked on the key first: most commands are about another key). */
function setsExpiry(argv: readonly string[], key: string): boolean {
  if (argv[1] !== key) return false
  const name = argv[0].toUpperCase()
  if (name.includes('EXPIRE')) return true
  if (name !== 'SET') return false
  for (let i = 3; i < argv.length; i++) if (/^(EX|PX|EXAT|PXAT)$/i.test(argv[i])) return true
  return false
}

/** Operations of the history with their ids, in order. */
export function indexed(history: History): Array<{ op: Op; id: number }> {
  return history.map((op, index) => ({ op, id: opId(op, index) }))
}
