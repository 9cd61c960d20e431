import type { History, HistoryReply } from '../linearizability/history.ts'
import { checkBounds, type Delta, integerValue, type Observation } from './bounded-sum.ts'
import { indexed, type InvariantViolation, mayExpire, type Op, returnOf, writtenKeys } from './types.ts'

/**
 * Transfers keep the total. The accounts are the keys the transfer script touches; their initial balances are the
 * writes that completed before the first transfer began (the workload's setup). Then:
 *  - a read that sees every account at once (MGET, or a MULTI of GET/MGET) sums to the initial total;
 *  - each observed balance lies within the bounds of the transfers in and out of it (bounded-sum.ts): a transfer
 *    that replied 1 moved its amount, one that replied 0 or an error moved nothing, one of unknown outcome may have.
 * If anything but transfers writes an account after the setup (or an account can expire), nothing is judged.
 */

export interface TransferOptions {
  /** Name of the transfer script (KEYS[1] from, KEYS[2] to, ARGV[1] amount; replies 1 when moved). */
  script?: string
}

export function checkTransfers(history: History, options: TransferOptions = {}): InvariantViolation[] {
  const script = options.script ?? 'transfer'
  const ops = indexed(history)
  const transfers = ops.filter(({ op }) => 'script' in op.input && op.input.script === script)
  if (transfers.length === 0) return []
  const accounts = new Set(transfers.flatMap(({ op }) => ('script' in op.input ? op.input.keys.slice(0, 2) : [])))
  const firstTransfer = Math.min(...transfers.map(({ op }) => op.invoke))

  // Setup: plain SET/MSET of accounts, done before the first transfer. Any other write disqualifies.
  const initial = new Map<string, number>()
  for (const { op } of ops) {
    if ('script' in op.input && op.input.script === script) continue
    const written = writtenKeys(op.input).filter((key) => accounts.has(key))
    for (const key of accounts) if (mayExpire(op.input, key)) return []
    if (written.length === 0) continue
    if (op.return === null || returnOf(op) >= firstTransfer || !('argv' in op.input)) return []
    const argv = op.input.argv
    const name = argv[0].toUpperCase()
    if (name !== 'SET' && name !== 'MSET') return []
    const pairs = name === 'SET' ? [[argv[1], argv[2]]] : chunk(argv.slice(1))
    for (const [key, value] of pairs) {
      if (!accounts.has(key)) continue
      const balance = integerValue(value)
      if (balance === undefined) return []
      initial.set(key, balance)
    }
  }
  const total = [...accounts].reduce((sum, key) => sum + (initial.get(key) ?? 0), 0)

  // Each account's deltas: +amount in, -amount out, for transfers that moved (1) or may have (unknown).
  const deltas = new Map<string, Delta[]>([...accounts].map((key) => [key, []]))
  for (const { op, id } of transfers) {
    if (!('script' in op.input)) continue
    const [from, to] = op.input.keys
    const amount = integerValue(op.input.args[0])
    if (amount === undefined || from === to) continue
    if (op.return !== null && op.output !== 1) continue // refused or failed: nothing moved
    // A transfer that moved shows as "acknowledged" to the bounds; its reply is not a balance.
    const moved: Op = { ...op, output: op.return === null ? undefined : null }
    deltas.get(from)!.push({ op: moved, id, amount: -amount })
    deltas.get(to)!.push({ op: moved, id, amount })
  }

  const violations: InvariantViolation[] = []
  for (const { op, id } of ops) {
    if (op.return === null) continue
    const seen = balancesRead(op.input, op.output)
    if (seen.size === 0) continue
    for (const [key, value] of seen) {
      if (!accounts.has(key) || value === undefined) continue
      const observation: Observation = { op, id, value }
      for (const breach of checkBounds(initial.get(key) ?? 0, deltas.get(key)!, [observation])) {
        violations.push({
          invariant: 'transfer-total',
          message:
            `balance ${key} read as ${value} (operation ${id}), but the transfers allow only ` +
            `${breach.low === breach.high ? breach.low : `${breach.low}..${breach.high}`}`,
          operations: [id, ...breach.definite.map((d) => d.id)],
          keys: [key],
        })
      }
    }
    if ([...accounts].every((key) => seen.has(key))) {
      const values = [...accounts].map((key) => seen.get(key))
      if (values.every((v) => v !== undefined)) {
        const sum = (values as number[]).reduce((a, b) => a + b, 0)
        if (sum !== total) {
          violations.push({
            invariant: 'transfer-total',
            message: `the balances read by operation ${id} sum to ${sum}, not the total ${total}`,
            operations: [id],
            keys: [...accounts],
          })
        }
      }
    }
  }
  return violations
}

/** The balances an operation read atomically: GET, MGET, or a MULTI made of them (nil = 0). */
function balancesRead(
  input: History[number]['input'],
  output: HistoryReply | undefined,
): Map<string, number | undefined> {
  const seen = new Map<string, number | undefined>()
  const commands = 'multi' in input ? input.multi : 'argv' in input ? [input.argv] : []
  const replies = 'multi' in input ? output : [output]
  if (!Array.isArray(replies) || replies.length !== commands.length) return seen
  for (let i = 0; i < commands.length; i++) {
    const argv = commands[i]
    const name = argv[0].toUpperCase()
    if (name === 'GET') seen.set(argv[1], integerValue(replies[i]))
    else if (name === 'MGET' && Array.isArray(replies[i])) {
      const values = replies[i] as HistoryReply[]
      argv.slice(1).forEach((key, k) => {
        seen.set(key, integerValue(values[k]))
      })
    } else if (writtenKeys({ argv }).length > 0) return new Map() // a block that also writes is not a pure read
  }
  return seen
}

function chunk(words: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (let i = 0; i + 1 < words.length; i += 2) pairs.push([words[i], words[i + 1]])
  return pairs
}
