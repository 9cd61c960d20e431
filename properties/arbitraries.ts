/**
 * fast-check arbitraries for the simulator: workloads (commands, fixture scripts, MULTI blocks, WATCH increments,
 * faults, timer events) and schedules, built from small pieces so that fast-check shrinks a failing case toward fewer
 * clients, fewer operations, simpler operations and fewer preemptions.
 *
 * Shrinking directions, piece by piece: arrays shrink toward fewer elements (clients, operations, MULTI commands,
 * faults, preemption points), `constantFrom` toward its first entry (the first key of a pool, `eval` over `evalsha`),
 * `oneof` toward its first arbitrary (a plain command over a script, a MULTI or a WATCH increment; no faults), and
 * numbers toward 0 (no timer events; a preemption earlier in the run).
 */
import fc from 'fast-check'
import type { DisconnectFault } from '../sim/faults.ts'
import { fixtureScripts, type Operation, STEP_STATEMENTS, type Scenario } from '../sim/workloads.ts'
import type { Schedule } from './schedule.ts'

/** Key pools, as in the fixture workloads: few keys, so operations collide. */
export const KEYS = ['k0', 'k1'] as const
export const BALANCES = ['b0', 'b1'] as const
const LOCK = 'lock0'
/** A key only SET ... PX and the ttl-read script touch: it keeps its TTL until it expires. */
const SHORT_LIVED = 't0'
const LIST = 'l0'
/** A list the error-path scripts log to. */
const LOG = 'g0'
const WINDOW = 'w0'

/** Placeholders filled in once the client and operation are known (`instantiate`). */
const UNIQUE = '$unique'
const CLIENT = '$client'

const key = fc.constantFrom(...KEYS)
const smallInt = fc.integer({ min: 0, max: 9 }).map(String)
/** Text that is not a number: makes INCR fail and the counter script raise (the lock-leak-on-error path). */
const text = fc.constantFrom('v0', 'v1')

/** Plain commands over the key pools; the first is the simplest (shrinking goes there). */
export const command: fc.Arbitrary<string[]> = fc.oneof(
  key.map((k) => ['GET', k]),
  fc.tuple(key, smallInt).map(([k, v]) => ['SET', k, v]),
  key.map((k) => ['INCR', k]),
  key.map((k) => ['DEL', k]),
  fc.tuple(key, text).map(([k, v]) => ['SET', k, v]),
  key.map((k) => ['SET', k, UNIQUE]),
  fc.tuple(key, smallInt).map(([k, v]) => ['INCRBY', k, v]),
  key.map((k) => ['SETNX', k, UNIQUE]),
  fc.tuple(key, smallInt).map(([k, v]) => ['GETSET', k, v]),
  key.map((k) => ['GETDEL', k]),
  fc.tuple(key, text).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, key).map(([a, b]) => ['MGET', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['MSET', a, UNIQUE, b, UNIQUE]),
  fc.constant<string[]>(['MGET', ...BALANCES]),
  fc.constant<string[]>(['RPUSH', LIST, UNIQUE]),
  fc.constant<string[]>(['LRANGE', LIST, '0', '-1']),
  // A short-lived key: timer events expire it, inside someone's script or EXEC only if something is wrong.
  fc.integer({ min: 1, max: 30 }).map((ms) => ['SET', SHORT_LIVED, UNIQUE, 'PX', String(ms)]),
  // A list where string commands and scripts work: their calls fail with WRONGTYPE (in EXEC, in redis.call).
  key.map((k) => ['RPUSH', k, UNIQUE]),
)

const via = fc.constantFrom<'eval' | 'evalsha'>('eval', 'evalsha')

/** One arbitrary per fixture script (fixtures/scripts/*.lua), with the arguments its header documents. */
export const SCRIPT_ARBITRARIES: Record<string, fc.Arbitrary<Omit<Extract<Operation, { kind: 'script' }>, 'kind'>>> = {
  counter: fc.record({ script: fc.constant('counter'), keys: key.map((k) => [k]), args: fc.constant(['1']), via }),
  cas: fc.record({
    script: fc.constant('cas'),
    keys: key.map((k) => [k]),
    args: fc.tuple(smallInt, smallInt).map(([a, b]) => [a, b]),
    via,
  }),
  transfer: fc.record({
    script: fc.constant('transfer'),
    keys: fc.boolean().map((swap) => (swap ? [BALANCES[1], BALANCES[0]] : [BALANCES[0], BALANCES[1]])),
    args: smallInt.map((n) => [n]),
    via,
  }),
  lock: fc.record({
    script: fc.constant('lock'),
    keys: fc.constant([LOCK]),
    args: fc.constantFrom('acquire', 'release').map((what) => [what, CLIENT]),
    via,
  }),
  'list-append': fc.record({
    script: fc.constant('list-append'),
    keys: fc.constant([LIST]),
    args: fc.constant([UNIQUE]),
    via,
  }),
  'slow-swap': fc.record({
    script: fc.constant('slow-swap'),
    keys: fc.constant([SHORT_LIVED]),
    args: fc.constant(['3000', UNIQUE]),
    via,
  }),
  'ttl-read': fc.record({
    script: fc.constant('ttl-read'),
    keys: fc.constant([SHORT_LIVED]),
    args: fc.constant([]),
    via,
  }),
  'rate-limiter': fc.record({
    script: fc.constant('rate-limiter'),
    keys: fc.constant([WINDOW]),
    args: fc.constant(['$now', '100', '3', UNIQUE]),
    via,
  }),
  'guarded-incr': fc.record({
    script: fc.constant('guarded-incr'),
    keys: key.map((k) => [k, LOG]),
    args: fc.constant([UNIQUE]),
    via,
  }),
  'append-or-raise': fc.record({
    script: fc.constant('append-or-raise'),
    keys: key.map((k) => [k]),
    args: fc.tuple(text, smallInt).map(([t, limit]) => [t, limit]),
    via,
  }),
  // A generated script: a short straight-line program of statements (calls, caught and uncaught errors, error()).
  steps: fc.record({
    script: fc.constant('steps'),
    keys: key.map((k) => [k, LOG]),
    args: fc
      .array(fc.constantFrom(...STEP_STATEMENTS), { minLength: 1, maxLength: 4 })
      .map((statements) => [UNIQUE, ...statements]),
    via,
  }),
}

export const scriptOperation: fc.Arbitrary<Operation> = fc
  .oneof(...Object.values(SCRIPT_ARBITRARIES))
  .map((op) => ({ kind: 'script', ...op }))

export const multiOperation: fc.Arbitrary<Operation> = fc
  .array(command, { minLength: 1, maxLength: 3 })
  .map((commands) => ({ kind: 'multi', commands }))

/** WATCH increments, sometimes of the short-lived key: its expiry between WATCH and EXEC must abort the EXEC. */
export const watchOperation: fc.Arbitrary<Operation> = fc
  .oneof({ arbitrary: key, weight: 3 }, { arbitrary: fc.constant(SHORT_LIVED), weight: 1 })
  .map((k) => ({ kind: 'watch', key: k }))

export const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: command.map((argv): Operation => ({ kind: 'command', argv })), weight: 3 },
  { arbitrary: scriptOperation, weight: 3 },
  { arbitrary: multiOperation, weight: 1 },
  { arbitrary: watchOperation, weight: 1 },
)

export interface WorkloadShape {
  maxClients: number
  maxOps: number
}

export const DEFAULT_SHAPE: WorkloadShape = { maxClients: 4, maxOps: 4 }

export interface PropertyWorkload {
  programs: Operation[][]
  faults: DisconnectFault[]
  timer: { events: number; stepMs: number }
}

const fault = (maxClients: number) =>
  fc.record({ client: fc.nat(maxClients - 1), atPark: fc.integer({ min: 1, max: 24 }) })

export function workload(shape: WorkloadShape = DEFAULT_SHAPE): fc.Arbitrary<PropertyWorkload> {
  return fc.record({
    programs: fc.array(fc.array(operation, { minLength: 1, maxLength: shape.maxOps }), {
      minLength: 1,
      maxLength: shape.maxClients,
    }),
    faults: fc.oneof(
      { arbitrary: fc.constant<DisconnectFault[]>([]), weight: 3 },
      { arbitrary: fc.array(fault(shape.maxClients), { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    timer: fc.record({
      events: fc.oneof(
        { arbitrary: fc.constant(0), weight: 3 },
        { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 1 },
      ),
      stepMs: fc.integer({ min: 1, max: 60 }),
    }),
  })
}

/**
 * A schedule: sparse preemption points (at the n-th decision, run the k-th other enabled actor instead of the one that
 * would continue), or a dense decision tape as sim/decision-tape.ts reads it. Fewer points, and a shorter tape, mean
 * fewer preemptions; both continue without preempting once exhausted.
 */
export const schedule: fc.Arbitrary<Schedule> = fc.oneof(
  fc
    .array(fc.record({ at: fc.nat(120), pick: fc.integer({ min: 1, max: 3 }) }), { maxLength: 6 })
    .map((points): Schedule => ({ kind: 'preemptions', points })),
  fc.array(fc.nat(7), { maxLength: 160 }).map((tape): Schedule => ({ kind: 'tape', tape })),
)

/** Balances the transfer script moves money between (the transfer-total invariant reads the setup). */
export const SETUP: string[][] = BALANCES.map((b) => ['SET', b, '100'])

/** A simulator scenario from a generated workload: placeholders filled, faults on existing clients only. */
export function toScenario(generated: PropertyWorkload, seed = 1): Scenario {
  const programs = generated.programs.map((program, c) => program.map((op, o) => instantiate(op, c, o)))
  const scripts: Record<string, string> = {}
  for (const program of programs) {
    for (const op of program) if (op.kind === 'script') scripts[op.script] = fixtureScripts().get(op.script)!.source
  }
  const seen = new Set<number>()
  const disconnects = generated.faults
    .map((f) => ({ client: f.client % programs.length, atPark: f.atPark }))
    .filter((f) => !seen.has(f.client) && seen.add(f.client))
  return {
    workload: 'properties',
    seed,
    clients: programs.length,
    opsPerClient: Math.max(0, ...programs.map((p) => p.length)),
    keys: KEYS.length,
    setup: SETUP.map((argv) => argv.slice()),
    programs,
    faults: { disconnects },
    timer: { ...generated.timer },
    scripts,
  }
}

function instantiate(op: Operation, client: number, index: number): Operation {
  let n = 0
  const fill = (argv: readonly string[]) =>
    argv.map((a) => (a === UNIQUE ? `u${client + 1}.${index}.${n++}` : a === CLIENT ? `c${client + 1}` : a))
  switch (op.kind) {
    case 'command':
      return { kind: 'command', argv: fill(op.argv) }
    case 'multi':
      return { kind: 'multi', commands: op.commands.map(fill) }
    case 'watch':
      return op
    case 'script':
      return { ...op, keys: fill(op.keys), args: fill(op.args) }
  }
}
