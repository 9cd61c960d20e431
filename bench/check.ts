/**
 * `npm run bench:check`: the linearizability checker on generated histories.
 *
 *  1. 10,000 operations over 100 keys (16 clients): many small partitions. Goal: at most 1 s.
 *  2. 300 operations, one partition (3 keys joined by transfers), 6 clients. Goal: at most 1 s.
 *  3. A known non-linearizable history (a read-modify-write counter whose GET and SET are not atomic, as under the
 *     per-call-lock mutant): it must be reported, with the offending operations.
 *  4. History 2 with one late read corrupted: found only after searching the whole partition, then explained.
 *
 * Histories come from a seeded sequential simulation with random overlaps, not from the server: each client invokes
 * an operation, the operation takes effect at a later random step (computed by the sequential model), and returns at
 * a still later one; some clients vanish mid-operation (unknown outcome, applied or not).
 */
import seedrandom from 'seedrandom'
import { checkLinearizability, type LinearizabilityResult } from '../sim/linearizability/checker.ts'
import type { HistoryOperation, HistoryReply, OperationInput } from '../sim/linearizability/history.ts'
import { formatLinearizability, linearizabilityView } from '../sim/linearizability/report.ts'
import type { KeyspaceState } from '../sim/model/keyspace-state.ts'
import { redisModel } from '../sim/model/redis-model.ts'

const model = redisModel()

interface GeneratorOptions {
  seed: string
  clients: number
  operations: number
  /** Makes an operation for a client. */
  nextInput: (random: () => number, client: number, index: number) => OperationInput
  /** Probability that a client disconnects during an operation (unknown outcome). */
  disconnect?: number
  /** Split counter scripts into a GET step and a later SET step (not atomic: lost updates). */
  nonAtomicCounter?: boolean
}

interface Pending {
  op: HistoryOperation
  phase: 'invoked' | 'read' | 'applied'
  read?: number
}

function generate(options: GeneratorOptions): HistoryOperation[] {
  const random = seedrandom(options.seed)
  const history: HistoryOperation[] = []
  const pending: Array<Pending | undefined> = new Array(options.clients)
  let state: KeyspaceState = model.init()
  let time = 0
  let issued = 0
  let live = options.clients
  const alive = new Array(options.clients).fill(true)
  while (issued < options.operations || pending.some((p) => p !== undefined)) {
    const client = Math.floor(random() * options.clients)
    if (!alive[client]) {
      if (live === 0) break
      continue
    }
    const current = pending[client]
    time++
    if (current === undefined) {
      if (issued >= options.operations) continue
      const op: HistoryOperation = {
        id: history.length,
        client,
        invoke: time,
        return: null,
        input: options.nextInput(random, client, issued++),
      }
      history.push(op)
      pending[client] = { op, phase: 'invoked' }
      continue
    }
    if (current.phase !== 'applied' && random() < (options.disconnect ?? 0)) {
      // The client vanishes: the operation may have taken effect (if it got that far) or not.
      alive[client] = false
      live--
      pending[client] = undefined
      if (random() < 0.5) state = model.run(state, current.op.input).state
      continue
    }
    const input = current.op.input
    if (current.phase === 'invoked' && options.nonAtomicCounter && 'script' in input && input.script === 'counter') {
      const value = model.run(state, { argv: ['GET', input.keys[0]] }).reply
      current.read = Number(value ?? '0')
      current.phase = 'read'
      continue
    }
    if (current.phase === 'read') {
      const next = (current.read ?? 0) + Number((input as { args: string[] }).args[0])
      state = model.run(state, { argv: ['SET', (input as { keys: string[] }).keys[0], String(next)] }).state
      current.op.output = next
      current.phase = 'applied'
      continue
    }
    if (current.phase === 'invoked') {
      const result = model.run(state, input)
      state = result.state
      current.op.output = result.reply as HistoryReply
      current.phase = 'applied'
      continue
    }
    current.op.return = time
    pending[client] = undefined
  }
  return history
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]

function manyKeys(random: () => number, client: number, index: number): OperationInput {
  const k = Math.floor(random() * 100)
  const key = `k${k}`
  const partner = `k${k ^ 1}` // transfers stay within a pair of keys: 50 two-key partitions
  switch (Math.floor(random() * 9)) {
    case 0:
      return { argv: ['GET', key] }
    case 1:
      return { argv: ['SET', key, String(Math.floor(random() * 100))] }
    case 2:
      return { argv: ['INCR', key] }
    case 3:
      return { script: 'counter', keys: [key], args: ['1'] }
    case 4:
      return { script: 'cas', keys: [key], args: [String(Math.floor(random() * 5)), String(Math.floor(random() * 5))] }
    case 5:
      return { script: 'transfer', keys: [key, partner], args: [String(1 + Math.floor(random() * 20))] }
    case 6:
      return { argv: ['MGET', key, partner] }
    case 7:
      return { argv: ['APPEND', `s${k}`, `${client}.${index}`] }
    default:
      return { argv: ['STRLEN', `s${k}`] }
  }
}

function onePartition(random: () => number, client: number, index: number): OperationInput {
  const keys = ['b0', 'b1', 'b2']
  const key = pick(random, keys)
  const other = pick(
    random,
    keys.filter((k) => k !== key),
  )
  switch (Math.floor(random() * 7)) {
    case 0:
      return { argv: ['GET', key] }
    case 1:
      return { argv: ['INCR', key] }
    case 2:
      return { script: 'counter', keys: [key], args: ['1'] }
    case 3:
      return { script: 'transfer', keys: [key, other], args: [String(1 + Math.floor(random() * 5))] }
    case 4:
      return { argv: ['MGET', ...keys] }
    case 5:
      return {
        multi: [
          ['GET', key],
          ['INCRBY', other, '2'],
        ],
      }
    default:
      return { script: 'cas', keys: [key], args: [String(Math.floor(random() * 3)), `${client}.${index}`] }
  }
}

function counters(random: () => number): OperationInput {
  return random() < 0.8 ? { script: 'counter', keys: ['c'], args: ['1'] } : { argv: ['GET', 'c'] }
}

/** Runs `run` `times` times (the machine is shared: the median is the figure, the minimum the best case). */
function time<T>(run: () => T, times = 5): { value: T; ms: number; best: number } {
  const samples: number[] = []
  let value!: T
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    value = run()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return { value, ms: samples[Math.floor(times / 2)], best: samples[0] }
}

function summary(
  name: string,
  history: HistoryOperation[],
  result: LinearizabilityResult,
  timing: { ms: number; best: number },
  goal?: number,
) {
  const { ms, best } = timing
  const unknownOutcome = history.filter((op) => op.return === null).length
  const largest = Math.max(...result.partitions.map((p) => p.operations.length))
  const verdictGoal =
    goal === undefined ? '' : ms <= goal ? `  (goal <= ${goal} ms: met)` : `  (goal <= ${goal} ms: MISSED)`
  console.log(
    `${name}\n  ${history.length} operations (${unknownOutcome} unknown outcome), ${result.partitions.length} partitions ` +
      `(largest ${largest}), ${result.steps} search steps, verdict ${result.verdict}, ${ms.toFixed(1)} ms median of 5 (best ${best.toFixed(1)})${verdictGoal}`,
  )
}

// Warm up the JIT on a small history so the figures measure the checker, not compilation.
checkLinearizability(
  model,
  generate({ seed: 'warmup', clients: 4, operations: 2000, nextInput: manyKeys, disconnect: 0.002 }),
)

const big = generate({ seed: 'bench-10k', clients: 16, operations: 10_000, nextInput: manyKeys, disconnect: 0.0005 })
const first = time(() => checkLinearizability(model, big))
summary('1. 10,000 operations over 100 keys, 16 clients', big, first.value, first, 1000)

const dense = generate({ seed: 'bench-300', clients: 6, operations: 300, nextInput: onePartition, disconnect: 0.005 })
const second = time(() => checkLinearizability(model, dense))
summary('2. 300 operations, one partition, 6 clients', dense, second.value, second, 1000)

const broken = generate({
  seed: 'bench-lost-update',
  clients: 4,
  operations: 60,
  nextInput: counters,
  nonAtomicCounter: true,
})
const third = time(() => checkLinearizability(model, broken))
summary('3. non-atomic read-modify-write counters (known non-linearizable)', broken, third.value, third)
console.log(formatLinearizability(linearizabilityView(model, broken, third.value)).replace(/^/gm, '  '))

// The same 300 operations with one late read made stale: the whole partition must be searched and explained.
const stale = dense.map((op) => ({ ...op }))
const isRead = (op: HistoryOperation): boolean =>
  'argv' in op.input && op.input.argv[0] === 'MGET' && op.return !== null
let lastRead = stale.length - 1
while (!isRead(stale[lastRead])) lastRead--
const seen = stale[lastRead].output as string[]
stale[lastRead] = { ...stale[lastRead], output: seen.map((v) => String(Number(v ?? 0) + 1)) }
const fourth = time(() => checkLinearizability(model, stale))
summary(
  `4. history 2 with its last MGET (#${lastRead}) corrupted (known non-linearizable)`,
  stale,
  fourth.value,
  fourth,
)
console.log(formatLinearizability(linearizabilityView(model, stale, fourth.value)).replace(/^/gm, '  '))

const failures: string[] = []
if (first.value.verdict !== 'ok') failures.push(`history 1 should be linearizable, got ${first.value.verdict}`)
if (second.value.verdict !== 'ok') failures.push(`history 2 should be linearizable, got ${second.value.verdict}`)
if (third.value.verdict !== 'violation') failures.push(`history 3 should be a violation, got ${third.value.verdict}`)
const explained = third.value.partitions.find((p) => p.verdict === 'violation')?.explanation
if (!explained || explained.minimal.length === 0) failures.push('history 3: no offending operations reported')
const blocked = fourth.value.partitions.find((p) => p.verdict === 'violation')?.explanation?.blockedOperation
if (blocked !== lastRead) failures.push(`history 4: expected operation ${lastRead} to be reported, got ${blocked}`)
if (failures.length > 0) {
  console.error(failures.join('\n'))
  process.exit(1)
}
