import type { History } from '../linearizability/history.ts'
import { checkBounds, type Delta, effective, integerValue, type Observation } from './bounded-sum.ts'
import { indexed, type InvariantViolation, isError, mayExpire, type Op, returnOf, writtenKeys } from './types.ts'

/**
 * The counter equals the acknowledged increments: every read of a counter (GET, or an increment's own reply) lies
 * within the bounds its increments allow (see bounded-sum.ts), and, when all increments are positive, no two
 * acknowledged increments return the same value (the signature of a lost read-modify-write update).
 *
 * A counter is a key written only by increments (INCR, INCRBY, DECR, DECRBY, the counter script), apart from an
 * initializing write that completed before anything else touched it. Keys with other writers or expiry are skipped.
 */

export interface CounterOptions {
  /** Name of the read-modify-write counter script (KEYS[1] counter, ARGV[1] increment). */
  script?: string
}

const INCREMENTS: Record<string, (argv: readonly string[]) => number | undefined> = {
  INCR: () => 1,
  DECR: () => -1,
  INCRBY: (argv) => integerValue(argv[2]),
  DECRBY: (argv) => {
    const amount = integerValue(argv[2])
    return amount === undefined ? undefined : -amount
  },
}

export function checkCounters(history: History, options: CounterOptions = {}): InvariantViolation[] {
  const script = options.script ?? 'counter'
  const byKey = new Map<string, Array<{ op: Op; id: number }>>()
  for (const entry of indexed(history)) {
    const input = entry.op.input
    const keys = new Set([
      ...writtenKeys(input),
      ...('argv' in input && input.argv[0].toUpperCase() === 'GET' ? [input.argv[1]] : []),
    ])
    for (const key of keys) {
      let list = byKey.get(key)
      if (!list) byKey.set(key, (list = []))
      list.push(entry)
    }
  }
  const violations: InvariantViolation[] = []
  for (const [key, ops] of byKey) violations.push(...checkCounter(key, ops, script))
  return violations
}

/** The delta of an increment of `key`, or undefined when the operation is not one. */
function incrementOf(op: Op, key: string, script: string): number | undefined {
  const input = op.input
  if ('script' in input)
    return input.script === script && input.keys[0] === key ? integerValue(input.args[0]) : undefined
  if (!('argv' in input) || input.argv[1] !== key) return undefined
  return INCREMENTS[input.argv[0].toUpperCase()]?.(input.argv)
}

function checkCounter(key: string, ops: Array<{ op: Op; id: number }>, script: string): InvariantViolation[] {
  const deltas: Delta[] = []
  const reads: Observation[] = []
  const writes: Array<{ op: Op; id: number }> = []
  for (const { op, id } of ops) {
    const amount = incrementOf(op, key, script)
    if (amount !== undefined) deltas.push({ op, id, amount })
    else if ('argv' in op.input && op.input.argv[0].toUpperCase() === 'GET') {
      const value = op.return === null ? undefined : integerValue(op.output)
      if (value !== undefined) reads.push({ op, id, value })
    } else writes.push({ op, id })
    if (mayExpire(op.input, key)) return []
  }
  if (deltas.length === 0) return []

  // Writes other than increments are only allowed as initialization: done before anything else on the key began.
  // Several initializing writes leave the value of the one that took effect last: known only when that write began
  // after every other one had returned (or when they all wrote the same value); otherwise the key is not judged.
  let initial = 0
  let last: Op | null = null
  const values = new Set<number>()
  const firstOther = Math.min(...deltas.map((d) => d.op.invoke), ...reads.map((r) => r.op.invoke))
  for (const { op } of writes) {
    if (op.return === null || returnOf(op) >= firstOther) return []
    const value =
      'argv' in op.input && op.input.argv[0].toUpperCase() === 'SET' ? integerValue(op.input.argv[2]) : undefined
    if (value === undefined) return []
    values.add(value)
    if (last === null || op.invoke > last.invoke) last = op
  }
  if (last !== null) {
    const lastBegan = last.invoke
    const ordered = writes.every(({ op }) => op === last || returnOf(op) < lastBegan)
    if (!ordered && values.size > 1) return []
    initial = integerValue((last.input as { argv: string[] }).argv[2])!
  }

  const observations: Observation[] = [...reads]
  for (const delta of effective(deltas)) {
    if (delta.op.return === null) continue
    const value = integerValue(delta.op.output)
    if (value !== undefined) observations.push({ op: delta.op, id: delta.id, value, own: delta })
  }

  const violations: InvariantViolation[] = []
  for (const breach of checkBounds(initial, deltas, observations)) {
    const { observation, low, high, definite } = breach
    const what = observation.own ? 'an increment returned' : 'a read saw'
    violations.push({
      invariant: 'counter',
      message:
        `counter ${key}: ${what} ${observation.value} (operation ${observation.id}), but the increments allow ` +
        `only ${low === high ? low : `${low}..${high}`} (${definite.length} certainly applied before it)`,
      operations: [observation.id, ...definite.filter((d) => d !== observation.own).map((d) => d.id)],
      keys: [key],
    })
  }

  if (deltas.every((d) => d.amount > 0)) {
    const byValue = new Map<number, number>()
    for (const observation of observations) {
      if (!observation.own || isError(observation.op.output)) continue
      const other = byValue.get(observation.value)
      if (other !== undefined) {
        violations.push({
          invariant: 'counter',
          message: `counter ${key}: increments ${other} and ${observation.id} both returned ${observation.value} (a lost update)`,
          operations: [other, observation.id],
          keys: [key],
        })
      } else byValue.set(observation.value, observation.id)
    }
  }
  return violations
}
