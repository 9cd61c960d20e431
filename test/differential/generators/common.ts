/**
 * Building blocks shared by the per-type command generators: the tiny keyspace every type shares (so types collide
 * and WRONGTYPE is exercised), argument pools with valid and invalid values, and the reply normalizers for the few
 * commands whose reply order or content Redis leaves undefined.
 *
 * A generator yields `GenStep` groups: usually one command, sometimes a short fixed sequence (e.g. a push before a
 * blocking pop so it never waits). `finalizeSequence` then makes a whole sequence deterministic: it knows which
 * client is inside MULTI, swaps random or iterating commands for a deterministic variant there, and gives EXEC a
 * normalizer that applies each queued command's own normalizer to its slot of the EXEC reply.
 */
import fc from 'fast-check'
import type { Step } from '../harness.ts'
import { arrayElements } from '../harness.ts'

export type Args = string[]

/** A generated step, with what to send instead when its client is inside MULTI (if the step cannot be queued as is). */
export interface GenStep extends Step {
  args: Args
  /** Replacement while queued in MULTI; `null` drops the step there. */
  inTransaction?: GenStep | null
}

export const KEYS = ['a', 'b', 'c']
export const key = fc.constantFrom(...KEYS)
export const keys = (min = 1, max = 3) => fc.array(key, { minLength: min, maxLength: max })

/** 65 bytes: one past the default listpack value limit, so encodings convert. */
export const LONG = 'L'.repeat(65)

/** Values: integers (intset candidates), floats, text, empty, and non-canonical integers. */
export const value = fc.constantFrom('0', '1', '-1', '2', '10', '1.5', 'x', 'y', 'abc', '', ' 1', '01', '-0', LONG)
export const member = fc.constantFrom('1', '2', '3', '-5', 'x', 'y', 'z', 'm', '', '007', LONG)
export const members = (min = 1, max = 4) => fc.array(member, { minLength: min, maxLength: max })

/** Counts for POP-style arguments: valid, zero, negative, huge and not a number. */
export const count = fc.constantFrom(
  '0',
  '1',
  '2',
  '3',
  '10',
  '-1',
  'x',
  '1.5',
  '9223372036854775807',
  '-9223372036854775808',
)
/** Indexes for LINDEX/LRANGE/ZRANGE-style arguments. */
export const index = fc.constantFrom('0', '1', '2', '-1', '-2', '5', '-100', '100', 'x', '9223372036854775807')
/** Blocking timeouts that never wait long; `0` (wait forever) is swapped out of MULTI by `finalizeSequence`. */
export const timeout = fc.constantFrom('0.01', '0.01', '0', '-1', 'x', '1e400')
export const integer = fc.constantFrom(
  '0',
  '1',
  '-1',
  '7',
  '-100',
  '9223372036854775807',
  '-9223372036854775808',
  'x',
  '1.5',
  '',
)
export const float = fc.constantFrom(
  '0',
  '1.5',
  '-0.25',
  '0.1',
  '1e3',
  '-3',
  'abc',
  '5.0e-2',
  'inf',
  '-inf',
  'nan',
  '1e308',
)

export function step(args: Args, extra: Partial<GenStep> = {}): GenStep {
  return { args, ...extra }
}

/** Picks an optional argument group: [] or one of `options`. */
export function optional<T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return fc.oneof(fc.constant<T[]>([]), arb)
}

/** Wraps a command arbitrary as a one-step group. */
export function single(arb: fc.Arbitrary<Args>, extra: Partial<GenStep> = {}): fc.Arbitrary<GenStep[]> {
  return arb.map((args) => [step(args, extra)])
}

/** A weighted choice of step groups. */
export function weighted(...choices: Array<[number, fc.Arbitrary<GenStep[]>]>): fc.Arbitrary<GenStep[]> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })))
}

// ---- normalizers -------------------------------------------------------------------------------------------------

function elementsOf(reply: string): string[] | null {
  return arrayElements(Buffer.from(reply, 'latin1'))
}

function header(reply: string): string {
  return reply.slice(0, reply.indexOf('\r\n') + 2)
}

/** An array whose element order Redis does not define, compared as a multiset. */
export function unorderedElements(reply: string): string {
  const elements = elementsOf(reply)
  return elements ? header(reply) + elements.sort().join('') : reply
}

/**
 * A flat array of pairs (HGETALL, WITHSCORES of an unordered source) or a RESP3 map, compared as a multiset of pairs;
 * RESP3's array of 2-element arrays as a multiset of those.
 */
export function unorderedPairs(reply: string): string {
  const elements = elementsOf(reply)
  if (elements && elements.length > 0 && elements[0].startsWith('*')) return unorderedElements(reply)
  if (!elements || elements.length % 2 !== 0) return reply
  const pairs: string[] = []
  for (let i = 0; i < elements.length; i += 2) pairs.push(elements[i] + elements[i + 1])
  return header(reply) + pairs.sort().join('')
}

/**
 * A random reply (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, SPOP): only its shape is compared: errors, nil and integers
 * exactly, a bulk as `$?`, a double as `,?`, an aggregate as its length and the shapes of its elements (nested
 * arrays too, for RESP3 pairs). `distinct` also records how many different members it had (a positive count gives
 * distinct ones); with `pairs` the members are every other element (RESP2) or each pair's first (RESP3).
 */
export function randomShape(distinct: boolean, pairs = false): (reply: string) => string {
  const shape = (reply: string): string => {
    const t = reply[0]
    if (t === '$' && reply !== '$-1\r\n') return '$?'
    if (t === ',') return ',?'
    if (t !== '*' && t !== '~' && t !== '%') return reply
    const elements = elementsOf(reply)
    return elements ? `${header(reply)}[${elements.map(shape).join(',')}]` : reply
  }
  return (reply) => {
    const elements = elementsOf(reply)
    if (!distinct || !elements) return shape(reply)
    let members = elements
    if (pairs) {
      members = elements[0]?.startsWith('*')
        ? elements.map((pair) => elementsOf(pair)?.[0] ?? pair)
        : elements.filter((_, i) => i % 2 === 0)
    }
    return `{${new Set(members).size} distinct}${shape(reply)}`
  }
}

/** A single SCAN-family page inside MULTI (COUNT large enough for one page): cursor kept, elements as a set. */
export function scanPageSorted(pairs: boolean): (reply: string) => string {
  return (reply) => {
    const outer = elementsOf(reply)
    if (outer?.length !== 2) return reply
    const inner = pairs ? unorderedPairs(outer[1]) : unorderedElements(outer[1])
    return `*2\r\n${outer[0]}${inner}`
  }
}

/**
 * OBJECT IDLETIME: seconds since the last access, which may tick over between the two servers; for a shared integer
 * (SET k 1) Redis reports the idle time of the one shared object, touched by whichever key last read it, possibly
 * since the server started. So only "an integer" is compared.
 */
export function smallIdleTime(reply: string): string {
  return /^:\d+\r\n$/.test(reply) ? ':<idle>\r\n' : reply
}

// ---- sequences ---------------------------------------------------------------------------------------------------

const CONTROL = new Set(['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH'])

/** EXEC's reply with each queued command's normalizer applied to its own slot. */
function execNormalizer(queued: Array<((reply: string) => string) | undefined>): (reply: string) => string {
  return (reply) => {
    const elements = elementsOf(reply)
    if (!elements || elements.length !== queued.length) return reply
    return header(reply) + elements.map((e, i) => (queued[i] ? (queued[i] as (r: string) => string)(e) : e)).join('')
  }
}

/**
 * Turns generated groups into a deterministic sequence: assigns each group to a client, swaps steps that cannot be
 * queued as they are (random, iterating or waiting commands) for their `inTransaction` form while that client is in
 * MULTI, and lets EXEC compare each queued reply with its command's normalizer.
 */
export function finalizeSequence(groups: Array<{ client: number; steps: GenStep[] }>): Step[] {
  const queues = new Map<number, Array<((reply: string) => string) | undefined> | null>()
  const out: Step[] = []
  for (const { client, steps } of groups) {
    for (const original of steps) {
      const queue = queues.get(client) ?? null
      let s: GenStep | null = original
      if (queue && original.inTransaction !== undefined) s = original.inTransaction
      if (!s) continue
      if (s.collectBlocked) {
        out.push({ collectBlocked: true, client })
        continue
      }
      const name = s.args[0].toUpperCase()
      const emitted: Step = { args: s.args, client, normalize: s.normalize, scan: queue ? undefined : s.scan }
      if (s.awaitBlocked) emitted.awaitBlocked = true
      if (name === 'MULTI') {
        if (!queue) queues.set(client, [])
      } else if (name === 'EXEC' || name === 'DISCARD') {
        if (name === 'EXEC' && queue) emitted.normalize = execNormalizer(queue)
        queues.set(client, null)
      } else if (queue && !CONTROL.has(name)) {
        queue.push(s.normalize)
      }
      out.push(emitted)
    }
  }
  return out
}

/** Transaction control steps, mixed into every sequence. */
export const controlCommands: fc.Arbitrary<GenStep[]> = weighted(
  [3, fc.constant([step(['MULTI'])])],
  [3, fc.constant([step(['EXEC'])])],
  [1, fc.constant([step(['DISCARD'])])],
  [2, single(keys(1, 2).map((ks) => ['WATCH', ...ks]))],
  [1, fc.constant([step(['UNWATCH'])])],
)

/** Key-level commands every type mix includes: TYPE, DEL, EXISTS, RENAME, COPY... */
export const keyCommands: fc.Arbitrary<GenStep[]> = weighted(
  [3, single(key.map((k) => ['TYPE', k]))],
  [2, single(keys(1, 2).map((ks) => ['DEL', ...ks]))],
  [1, single(keys(1, 2).map((ks) => ['EXISTS', ...ks]))],
  [1, single(fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]))],
  [1, single(fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']))],
  [1, single(fc.tuple(key, value).map(([k, v]) => ['SET', k, v]))],
  [1, single(key.map((k) => ['OBJECT', 'ENCODING', k]))],
)

/**
 * Sequences of `typeCommands` (with key commands and transaction control mixed in) over two clients, ready for
 * `DifferentialPair.compare`. `prefix` runs first on client 0 (e.g. CONFIG SET of the defaults).
 */
export function sequenceOf(
  typeCommands: fc.Arbitrary<GenStep[]>,
  {
    maxLength = 25,
    prefix = [] as Step[],
    episodes = null as fc.Arbitrary<Array<{ client: number; steps: GenStep[] }>> | null,
  } = {},
): fc.Arbitrary<Step[]> {
  const group = fc
    .tuple(
      fc.oneof(
        { weight: 12, arbitrary: typeCommands },
        { weight: 2, arbitrary: keyCommands },
        { weight: 2, arbitrary: controlCommands },
      ),
      fc.constantFrom(0, 0, 0, 1),
    )
    .map(([steps, client]) => [{ client, steps }])
  const element = episodes ? fc.oneof({ weight: 3, arbitrary: group }, { weight: 1, arbitrary: episodes }) : group
  return fc.array(element, { minLength: 1, maxLength }).map((gs) => [...prefix, ...finalizeSequence(gs.flat())])
}

/**
 * A SCAN-family step: fully iterated outside MULTI (compared as a set), and a single page with a COUNT large enough
 * for the small collections here inside MULTI. `cursorArg` is the cursor's position in `args`.
 */
export function scanStep(args: Args, pairs: boolean, cursorArg = 2): GenStep {
  const page = [...args, 'COUNT', '1000']
  return step(args, {
    scan: { cursorArg, pairs },
    inTransaction: step(page, { normalize: scanPageSorted(pairs) }),
  })
}

/**
 * A blocking command: outside MULTI a zero timeout (forever) becomes 10 ms so the sequence never hangs; inside MULTI
 * it runs as generated (Redis answers as if the timeout expired at once).
 */
export function blockingStep(args: Args, timeoutArg: number): GenStep {
  const outside = args.slice()
  if (outside[timeoutArg] === '0') outside[timeoutArg] = '0.01'
  return step(outside, { inTransaction: step(args) })
}

/** Sequences in RESP3 half of the time: HELLO 3 on every client first (its reply without the connection id). */
export function eitherProtocol(sequences: fc.Arbitrary<Step[]>, clients = [0, 1, 2, 3]): fc.Arbitrary<Step[]> {
  const hello = (reply: string) => reply.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:<id>\r\n')
  return fc
    .tuple(fc.boolean(), sequences)
    .map(([resp3, steps]) =>
      resp3 ? [...clients.map((client) => ({ args: ['HELLO', '3'], client, normalize: hello })), ...steps] : steps,
    )
}
