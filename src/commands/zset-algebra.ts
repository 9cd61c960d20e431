/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD (Redis 7.0 zunionInterDiffGenericCommand). Inputs may be
 * sorted sets or plain sets (every member scoring 1). Floating-point results match Redis's because the arithmetic is
 * done in the same order: for union and intersection the inputs are visited smallest first (Redis qsorts them by
 * cardinality; glibc's qsort is a stable merge sort at these sizes, and so is Array.prototype.sort).
 */
import { KeyTable } from '../keyspace/key-table.ts'
import { shrinkSortedSetIfSmall } from '../keyspace/encoding.ts'
import { RedisSet } from '../keyspace/types/set.ts'
import { compareEntries } from '../keyspace/types/score-tree.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { Errors, type Reply, ReplyError } from '../protocol/reply.ts'
import { integerArg, isOption, keyOf } from './args.ts'
import { rangeLongArg, LONG_MAX } from './collection-args.ts'
import { scoreArg } from './score.ts'
import { type CommandContext, fullName } from './types.ts'
import { membersReply } from './zset-common.ts'
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/keyspace-events.ts'

type Operation = 'union' | 'inter' | 'diff'
type Aggregate = 'sum' | 'min' | 'max'

interface Source {
  /** The input value (identity matters: the same key given twice is the same object), or null for a missing key. */
  value: SortedSet | RedisSet | null
  weight: number
  length: number
}

/** Visits every element of an input; the visitor returns true to stop early. */
function forEachElement(source: Source, visit: (member: string, score: number) => boolean | undefined): void {
  const value = source.value
  if (value instanceof SortedSet) {
    for (const c = value.head(); c.valid; c.next()) if (visit(c.member, c.score)) return
  } else if (value) {
    let stopped = false
    value.forEach((member) => {
      if (!stopped) stopped = visit(member, 1) === true
    })
  }
}

function scoreIn(source: Source, member: string): number | undefined {
  const value = source.value
  if (value instanceof SortedSet) return value.score(member)
  if (value) return value.has(member) ? 1 : undefined
  return undefined
}

/** zunionInterAggregate: a sum of +inf and -inf is 0, not NaN. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value
    return Number.isNaN(sum) ? 0 : sum
  }
  // Not Math.min/max: those return NaN for a NaN operand and order -0 below 0; C's comparisons keep the target.
  // biome-ignore lint/complexity/useMathMinMax: see above
  if (how === 'min') return value < target ? value : target
  // biome-ignore lint/complexity/useMathMinMax: see above
  return value > target ? value : target
}

/** The weighted score of an element; a NaN product (inf * 0) counts as 0. */
function weighted(score: number, weight: number): number {
  const product = weight * score
  return Number.isNaN(product) ? 0 : product
}

interface Parsed {
  sources: Source[]
  how: Aggregate
  withscores: boolean
  limit: number
}

/**
 * Reads the inputs (WRONGTYPE before any option is looked at, as Redis does) and then the options: WEIGHTS and
 * AGGREGATE (not for ZDIFF or ZINTERCARD), WITHSCORES (only without a destination), LIMIT (only ZINTERCARD).
 */
function parse(ctx: CommandContext, numkeysIndex: number, op: Operation, store: boolean, cardinality: boolean): Parsed {
  const { argv, db } = ctx
  const setnum = integerArg(argv[numkeysIndex])
  if (setnum < 1) {
    throw new ReplyError(`ERR at least 1 input key is needed for '${fullName(ctx.spec)}' command`)
  }
  if (setnum > argv.length - (numkeysIndex + 1)) throw Errors.syntax()
  const sources: Source[] = []
  let j = numkeysIndex + 1
  for (let i = 0; i < setnum; i++, j++) {
    const value = db.get(keyOf(argv, j))
    if (value !== undefined && !(value instanceof SortedSet) && !(value instanceof RedisSet)) {
      throw Errors.wrongType()
    }
    const input = (value as SortedSet | RedisSet | undefined) ?? null
    sources.push({ value: input, weight: 1, length: input ? input.length : 0 })
  }
  let how: Aggregate = 'sum'
  let withscores = false
  let limit = 0
  while (j < argv.length) {
    const remaining = argv.length - j
    const opt = argv[j]
    if (op !== 'diff' && !cardinality && remaining >= setnum + 1 && isOption(opt, 'WEIGHTS')) {
      j++
      for (let i = 0; i < setnum; i++, j++) {
        sources[i].weight = scoreArg(argv[j], 'weight value is not a float')
      }
    } else if (op !== 'diff' && !cardinality && remaining >= 2 && isOption(opt, 'AGGREGATE')) {
      const which = argv[j + 1]
      if (isOption(which, 'SUM')) how = 'sum'
      else if (isOption(which, 'MIN')) how = 'min'
      else if (isOption(which, 'MAX')) how = 'max'
      else throw Errors.syntax()
      j += 2
    } else if (!store && !cardinality && isOption(opt, 'WITHSCORES')) {
      withscores = true
      j++
    } else if (cardinality && remaining >= 2 && isOption(opt, 'LIMIT')) {
      limit = rangeLongArg(argv[j + 1], 0n, LONG_MAX, "LIMIT can't be negative")
      j += 2
    } else {
      throw Errors.syntax()
    }
  }
  return { sources, how, withscores, limit }
}

/** The result as parallel member/score arrays (unordered). */
interface Result {
  members: string[]
  scores: number[]
}

function union(sources: Source[], how: Aggregate): Result {
  // A KeyTable, not a Map: a union can have more members than a Map's 2^24 limit.
  const acc = new KeyTable<number>()
  for (const source of sources) {
    if (source.length === 0) continue
    const weight = source.weight
    forEachElement(source, (member, score) => {
      const value = weighted(score, weight)
      const existing = acc.get(member)
      acc.set(member, existing === undefined ? value : aggregate(existing, value, how))
      return false
    })
  }
  const out: Result = { members: [], scores: [] }
  for (const [member, score] of acc) {
    out.members.push(member)
    out.scores.push(score)
  }
  return out
}

/** Intersection; with `limit` >= 0 only counts (ZINTERCARD, 0 = no limit) and returns the count. */
function intersection(sources: Source[], how: Aggregate, countOnly: boolean, limit: number): Result | number {
  const out: Result = { members: [], scores: [] }
  let count = 0
  const first = sources[0]
  if (first.length === 0) return countOnly ? 0 : out
  forEachElement(first, (member, rawScore) => {
    let score = weighted(rawScore, first.weight)
    for (let j = 1; j < sources.length; j++) {
      const other = sources[j]
      // The same key given twice: its score is at hand (Redis avoids looking into the set it iterates).
      const found = other.value === first.value ? rawScore : scoreIn(other, member)
      if (found === undefined) return false
      score = aggregate(score, found * other.weight, how)
    }
    if (!countOnly) {
      out.members.push(member)
      out.scores.push(score)
      return false
    }
    count++
    return limit > 0 && count >= limit
  })
  return countOnly ? count : out
}

function difference(sources: Source[]): Result {
  const out: Result = { members: [], scores: [] }
  const first = sources[0]
  if (first.length === 0) return out
  forEachElement(first, (member, score) => {
    for (let j = 1; j < sources.length; j++) {
      if (sources[j].length > 0 && scoreIn(sources[j], member) !== undefined) return false
    }
    out.members.push(member)
    out.scores.push(score)
    return false
  })
  return out
}

function compute(parsed: Parsed, op: Operation): Result {
  const { sources, how } = parsed
  if (op === 'diff') return difference(sources)
  // Smallest input first, stable for equal sizes (see the file comment).
  const ordered = sources.slice().sort((a, b) => a.length - b.length)
  return op === 'union' ? union(ordered, how) : (intersection(ordered, how, false, 0) as Result)
}

function sortedOrder(result: Result): number[] {
  const order = Array.from(result.members, (_, i) => i)
  const { members, scores } = result
  order.sort((a, b) => compareEntries(scores[a], members[a], scores[b], members[b]))
  return order
}

function replyGeneric(ctx: CommandContext, op: Operation): Reply {
  const parsed = parse(ctx, 1, op, false, false)
  const result = compute(parsed, op)
  const order = sortedOrder(result)
  const members = order.map((i) => result.members[i])
  const scores = parsed.withscores ? order.map((i) => result.scores[i]) : null
  return membersReply(ctx, members, scores)
}

function storeGeneric(ctx: CommandContext, op: Operation): Reply {
  const parsed = parse(ctx, 2, op, true, false)
  const result = compute(parsed, op)
  const dst = keyOf(ctx.argv, 1)
  if (result.members.length === 0) {
    if (ctx.db.delete(dst)) ctx.db.notify(NOTIFY_GENERIC, 'del', dst)
    return 0
  }
  const z = new SortedSet('skiplist')
  let longest = 0
  for (let i = 0; i < result.members.length; i++) {
    z.set(result.members[i], result.scores[i])
    if (result.members[i].length > longest) longest = result.members[i].length
  }
  shrinkSortedSetIfSmall(z, ctx.engine.config, longest)
  ctx.db.set(dst, z)
  ctx.db.notify(NOTIFY_ZSET, `z${op}store`, dst)
  return z.length
}

export function zunion(ctx: CommandContext): Reply {
  return replyGeneric(ctx, 'union')
}
export function zinter(ctx: CommandContext): Reply {
  return replyGeneric(ctx, 'inter')
}
export function zdiff(ctx: CommandContext): Reply {
  return replyGeneric(ctx, 'diff')
}
export function zunionstore(ctx: CommandContext): Reply {
  return storeGeneric(ctx, 'union')
}
export function zinterstore(ctx: CommandContext): Reply {
  return storeGeneric(ctx, 'inter')
}
export function zdiffstore(ctx: CommandContext): Reply {
  return storeGeneric(ctx, 'diff')
}

export function zintercard(ctx: CommandContext): Reply {
  const parsed = parse(ctx, 1, 'inter', false, true)
  const ordered = parsed.sources.slice().sort((a, b) => a.length - b.length)
  return intersection(ordered, 'sum', true, parsed.limit) as number
}

/** Key positions for commands with `numkeys` at argv[numkeysIndex], plus a destination at argv[1] when `store`. */
export function numkeysKeys(numkeysIndex: number, store: boolean): (argv: Buffer[]) => number[] {
  return (argv) => {
    const out: number[] = store ? [1] : []
    const n = Number(argv[numkeysIndex]?.toString('latin1'))
    if (!Number.isInteger(n) || n < 1) return out
    for (let i = 0; i < n && numkeysIndex + 1 + i < argv.length; i++) out.push(numkeysIndex + 1 + i)
    return out
  }
}
