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
  invariant: 'transfer-total' | 'counter' | 'lock-exclusive' | 'list-append'
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
  if (READ_ONLY.has(argv[0].toUpperCase())) return []
  try {
    return commandKeys(argv)
  } catch {
    return argv.slice(1) // a command outside the model: assume it may write any of its arguments
  }
}

/**
 * The keys an operation may write (scripts: all their KEYS; a clock tick: none, expiry aside). Every invariant asks
 * this of every operation, so the answer is kept per input object (inputs are never changed after the run).
 */
export function writtenKeys(input: OperationInput): readonly string[] {
  let keys = writtenCache.get(input)
  if (keys === undefined) {
    if ('clock' in input) keys = []
    else if ('script' in input) keys = input.keys
    else if ('multi' in input) keys = input.multi.flatMap(commandWrites)
    else keys = commandWrites(input.argv)
    writtenCache.set(input, keys)
  }
  return keys
}
const writtenCache = new WeakMap<OperationInput, readonly string[]>()

/** Whether a history uses expiry on `key` (an expiring key can vanish, which workload invariants do not model). */
export function mayExpire(input: OperationInput, key: string): boolean {
  const keys = expiringKeys(input)
  return keys.length > 0 && keys.includes(key)
}

/** The keys an operation may give an expiry (cached per input, as `writtenKeys`). */
function expiringKeys(input: OperationInput): readonly string[] {
  let keys = expiringCache.get(input)
  if (keys === undefined) {
    keys = []
    const commands = 'multi' in input ? input.multi : 'argv' in input ? [input.argv] : []
    for (const argv of commands) {
      const name = argv[0].toUpperCase()
      const expiring =
        name.includes('EXPIRE') || (name === 'SET' && argv.slice(3).some((a) => /^(EX|PX|EXAT|PXAT)$/i.test(a)))
      if (expiring && argv[1] !== undefined) keys.push(argv[1])
    }
    expiringCache.set(input, keys)
  }
  return keys
}
const expiringCache = new WeakMap<OperationInput, string[]>()

/** Operations of the history with their ids, in order. */
export function indexed(history: History): Array<{ op: Op; id: number }> {
  return history.map((op, index) => ({ op, id: opId(op, index) }))
}
