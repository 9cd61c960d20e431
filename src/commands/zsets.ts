/**
 * Sorted set commands (Redis 7.0 t_zset.c), except the multi-key algebra (zset-algebra.ts) and the pops
 * (zset-pop.ts). Members are latin1 strings inside the value; scores are doubles replied with DoubleReply (`%.17g`,
 * RESP3 `,`). Argument errors come in Redis's order: options and numbers are parsed before the key is looked up.
 */
import { createSortedSet, prepareSortedSetInsert, shrinkSortedSetIfSmall } from '../keyspace/encoding.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { formatDouble } from '../protocol/resp-encoder.ts'
import { DoubleReply, Errors, type Reply, ReplyError } from '../protocol/reply.ts'
import { integerArg, isOption, keyOf } from './args.ts'
import { LONG_MAX, randomCountArg, scanCursorArg, scanOptionsArg, scanReply } from './collection-args.ts'
import { sample } from './random-sample.ts'
import { scoreArg } from './score.ts'
import { type CommandContext, command } from './types.ts'
import { numkeysKeys, zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore } from './zset-algebra.ts'
import { bzmpop, bzpopmax, bzpopmin, mpopKeys, zmpop, zpopmax, zpopmin } from './zset-pop.ts'
import { commitRemoval, memberReply, membersReply, readZset, writableZset } from './zset-common.ts'
import {
  firstInLexRange,
  firstInScoreRange,
  lastInLexRange,
  lastInScoreRange,
  type LexRange,
  lexGteMin,
  lexLteMax,
  lexRangeArg,
  type ScoreRange,
  scoreGteMin,
  scoreLteMax,
  scoreRangeArg,
} from './zset-range.ts'
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/keyspace-events.ts'

// --- ZADD / ZINCRBY ---

const NAN_SCORE = 'ERR resulting score is not a number (NaN)'

function zaddGeneric(ctx: CommandContext, incrCommand: boolean): Reply {
  const { argv, db } = ctx
  let nx = false
  let xx = false
  let gt = false
  let lt = false
  let ch = false
  let incr = incrCommand
  let scoreIndex = 2
  if (!incrCommand) {
    for (; scoreIndex < argv.length; scoreIndex++) {
      const opt = argv[scoreIndex]
      if (isOption(opt, 'NX')) nx = true
      else if (isOption(opt, 'XX')) xx = true
      else if (isOption(opt, 'CH')) ch = true
      else if (isOption(opt, 'INCR')) incr = true
      else if (isOption(opt, 'GT')) gt = true
      else if (isOption(opt, 'LT')) lt = true
      else break
    }
  }
  const elements = argv.length - scoreIndex
  if (elements % 2 !== 0 || elements === 0) throw Errors.syntax()
  const pairs = elements / 2
  // Redis checks option compatibility before the INCR pair count.
  if (nx && xx) throw new ReplyError('ERR XX and NX options at the same time are not compatible')
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    throw new ReplyError('ERR GT, LT, and/or NX options at the same time are not compatible')
  }
  if (incr && pairs > 1) throw new ReplyError('ERR INCR option supports a single increment-element pair')
  const scores: number[] = new Array(pairs)
  for (let j = 0; j < pairs; j++) scores[j] = scoreArg(argv[scoreIndex + 2 * j])

  const key = keyOf(argv, 1)
  const config = ctx.engine.config
  let z = writableZset(db, key)
  const isNew = z === undefined
  if (z === undefined) {
    if (xx) return incr ? null : 0
    z = createSortedSet(config, argv[scoreIndex + 1].length)
  }
  let added = 0
  let updated = 0
  let processed = 0
  let lastScore = 0
  try {
    for (let j = 0; j < pairs; j++) {
      const memberArg = argv[scoreIndex + 2 * j + 1]
      const member = memberArg.toString('latin1')
      let score = scores[j]
      const current = z.score(member)
      if (current !== undefined) {
        if (nx) continue
        if (incr) {
          score += current
          if (Number.isNaN(score)) throw new ReplyError(NAN_SCORE)
        }
        if ((lt && score >= current) || (gt && score <= current)) continue
        if (score !== current) {
          z.set(member, score)
          updated++
        }
      } else if (!xx) {
        prepareSortedSetInsert(z, config, memberArg.length)
        z.set(member, score)
        added++
      } else {
        continue
      }
      processed++
      lastScore = score
    }
  } finally {
    if (isNew) {
      if (z.length > 0) db.set(key, z)
    } else if (added + updated > 0) {
      db.modified(key)
    }
    if (added + updated > 0) db.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key)
  }
  if (incr) return processed > 0 ? new DoubleReply(lastScore) : null
  return ch ? added + updated : added
}

/** ZADD; GEOADD rewrites its arguments into a ZADD and calls this, as Redis does. */
export function zadd(ctx: CommandContext): Reply {
  return zaddGeneric(ctx, false)
}

function zincrby(ctx: CommandContext): Reply {
  return zaddGeneric(ctx, true)
}

// --- single-member reads and ZREM ---

function zrem(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const z = writableZset(db, key)
  if (!z) return 0
  let deleted = 0
  for (let i = 2; i < argv.length && z.length > 0; i++) {
    if (z.remove(argv[i].toString('latin1'))) deleted++
  }
  if (deleted > 0) commitRemoval(db, key, z, 'zrem')
  return deleted
}

function zcard(ctx: CommandContext): Reply {
  return readZset(ctx.db, keyOf(ctx.argv, 1))?.length ?? 0
}

function zscore(ctx: CommandContext): Reply {
  const score = readZset(ctx.db, keyOf(ctx.argv, 1))?.score(ctx.argv[2].toString('latin1'))
  return score === undefined ? null : new DoubleReply(score)
}

function zmscore(ctx: CommandContext): Reply {
  const { argv } = ctx
  const z = readZset(ctx.db, keyOf(argv, 1))
  const out: Reply[] = new Array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i].toString('latin1'))
    out[i - 2] = score === undefined ? null : new DoubleReply(score)
  }
  return out
}

function rankGeneric(ctx: CommandContext, reverse: boolean): Reply {
  const z = readZset(ctx.db, keyOf(ctx.argv, 1))
  if (!z) return null
  const rank = z.rank(ctx.argv[2].toString('latin1'))
  if (rank === undefined) return null
  return reverse ? z.length - 1 - rank : rank
}

function zcount(ctx: CommandContext): Reply {
  const range = scoreRangeArg(ctx.argv[2], ctx.argv[3])
  const z = readZset(ctx.db, keyOf(ctx.argv, 1))
  if (!z) return 0
  const first = firstInScoreRange(z, range)
  if (first < 0) return 0
  return lastInScoreRange(z, range) - first + 1
}

function zlexcount(ctx: CommandContext): Reply {
  const range = lexRangeArg(ctx.argv[2], ctx.argv[3])
  const z = readZset(ctx.db, keyOf(ctx.argv, 1))
  if (!z) return 0
  const first = firstInLexRange(z, range)
  if (first < 0) return 0
  if (z.encoding === 'skiplist') return lastInLexRange(z, range) - first + 1
  // A listpack is counted by walking from the first match while elements stay below max, as Redis does.
  let count = 0
  for (const c = z.at(first); c.valid && lexLteMax(c.member, range); c.next()) count++
  return count
}

// --- ZRANGE and friends ---

type RangeKind = 'rank' | 'score' | 'lex'

/** The elements a range selects, in reply order. */
interface RangeResult {
  members: string[]
  scores: number[]
}

function rankRange(z: SortedSet, start: number, end: number, reverse: boolean, out: RangeResult): void {
  const length = z.length
  if (start < 0) start = length + start
  if (end < 0) end = length + end
  if (start < 0) start = 0
  if (start > end || start >= length) return
  if (end >= length) end = length - 1
  let n = end - start + 1
  const c = reverse ? z.at(length - 1 - start) : z.at(start)
  while (n-- > 0 && c.valid) {
    out.members.push(c.member)
    out.scores.push(c.score)
    if (reverse) c.prev()
    else c.next()
  }
}

function scoreRange(
  z: SortedSet,
  range: ScoreRange,
  offset: number,
  limit: number,
  reverse: boolean,
  out: RangeResult,
): void {
  if (offset < 0 || (offset > 0 && offset >= z.length)) return
  const edge = reverse ? lastInScoreRange(z, range) : firstInScoreRange(z, range)
  if (edge < 0) return
  const start = reverse ? edge - offset : edge + offset
  const c = z.at(start)
  while (c.valid && limit-- !== 0) {
    const score = c.score
    if (reverse ? !scoreGteMin(score, range) : !scoreLteMax(score, range)) break
    out.members.push(c.member)
    out.scores.push(score)
    if (reverse) c.prev()
    else c.next()
  }
}

function lexRange(
  z: SortedSet,
  range: LexRange,
  offset: number,
  limit: number,
  reverse: boolean,
  out: RangeResult,
): void {
  if (offset < 0 || (offset > 0 && offset >= z.length)) return
  const edge = reverse ? lastInLexRange(z, range) : firstInLexRange(z, range)
  if (edge < 0) return
  const start = reverse ? edge - offset : edge + offset
  const c = z.at(start)
  while (c.valid && limit-- !== 0) {
    const member = c.member
    if (reverse ? !lexGteMin(member, range) : !lexLteMax(member, range)) break
    out.members.push(member)
    out.scores.push(c.score)
    if (reverse) c.prev()
    else c.next()
  }
}

/**
 * zrangeGenericCommand. `first` is the index of the source key; `store` the destination (ZRANGESTORE) or null;
 * `fixedKind`/`fixedReverse` are set by the legacy commands (ZRANGEBYSCORE, ZREVRANGE, ...), which then refuse
 * BYSCORE/BYLEX/REV as syntax errors.
 */
function zrangeGeneric(
  ctx: CommandContext,
  first: number,
  store: string | null,
  fixedKind: RangeKind | null,
  fixedReverse: boolean | null,
): Reply {
  const { argv } = ctx
  let withscores = false
  let offset = 0
  let limit = -1
  let kind = fixedKind
  let reverse = fixedReverse
  for (let j = first + 3; j < argv.length; j++) {
    const left = argv.length - j - 1
    const opt = argv[j]
    if (store === null && isOption(opt, 'WITHSCORES')) withscores = true
    else if (isOption(opt, 'LIMIT') && left >= 2) {
      offset = integerArg(argv[j + 1])
      limit = integerArg(argv[j + 2])
      j += 2
    } else if (fixedReverse === null && reverse === null && isOption(opt, 'REV')) reverse = true
    else if (fixedKind === null && kind === null && isOption(opt, 'BYLEX')) kind = 'lex'
    else if (fixedKind === null && kind === null && isOption(opt, 'BYSCORE')) kind = 'score'
    else throw Errors.syntax()
  }
  reverse ??= false
  kind ??= 'rank'
  if (limit !== -1 && kind === 'rank') {
    throw new ReplyError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX')
  }
  if (withscores && kind === 'lex') {
    throw new ReplyError('ERR syntax error, WITHSCORES not supported in combination with BYLEX')
  }
  // The reverse forms of BYSCORE and BYLEX take the range as <max> <min>.
  let minArg = argv[first + 1]
  let maxArg = argv[first + 2]
  if (reverse && kind !== 'rank') [minArg, maxArg] = [maxArg, minArg]
  let start = 0
  let end = 0
  let scores: ScoreRange | null = null
  let lex: LexRange | null = null
  if (kind === 'rank') {
    start = integerArg(minArg)
    end = integerArg(maxArg)
  } else if (kind === 'score') scores = scoreRangeArg(minArg, maxArg)
  else lex = lexRangeArg(minArg, maxArg)

  const z = readZset(ctx.db, keyOf(argv, first))
  const out: RangeResult = { members: [], scores: [] }
  if (z) {
    if (kind === 'rank') rankRange(z, start, end, reverse, out)
    else if (kind === 'score') scoreRange(z, scores!, offset, limit, reverse, out)
    else lexRange(z, lex!, offset, limit, reverse, out)
  }
  if (store !== null) return storeRange(ctx, store, out)
  return membersReply(ctx, out.members, withscores ? out.scores : null)
}

/** ZRANGESTORE's destination: the selected elements as a new sorted set, or no key when nothing was selected. */
function storeRange(ctx: CommandContext, dst: string, out: RangeResult): Reply {
  const { db } = ctx
  if (out.members.length === 0) {
    if (db.delete(dst)) db.notify(NOTIFY_GENERIC, 'del', dst)
    return 0
  }
  const z = new SortedSet('skiplist')
  let longest = 0
  for (let i = 0; i < out.members.length; i++) {
    z.set(out.members[i], out.scores[i])
    if (out.members[i].length > longest) longest = out.members[i].length
  }
  shrinkSortedSetIfSmall(z, ctx.engine.config, longest)
  db.set(dst, z)
  db.notify(NOTIFY_ZSET, 'zrangestore', dst)
  return z.length
}

// --- ZREMRANGEBY* ---

function zremrangeGeneric(ctx: CommandContext, kind: RangeKind): Reply {
  const { argv, db } = ctx
  let start = 0
  let end = 0
  let scores: ScoreRange | null = null
  let lex: LexRange | null = null
  if (kind === 'rank') {
    start = integerArg(argv[2])
    end = integerArg(argv[3])
  } else if (kind === 'score') scores = scoreRangeArg(argv[2], argv[3])
  else lex = lexRangeArg(argv[2], argv[3])
  const key = keyOf(argv, 1)
  const z = writableZset(db, key)
  if (!z) return 0
  const out: RangeResult = { members: [], scores: [] }
  if (kind === 'rank') rankRange(z, start, end, false, out)
  else if (kind === 'score') scoreRange(z, scores!, 0, -1, false, out)
  else lexRange(z, lex!, 0, -1, false, out)
  if (out.members.length === 0) return 0
  for (const member of out.members) z.remove(member)
  commitRemoval(db, key, z, `zremrangeby${kind}`)
  return out.members.length
}

// --- ZRANDMEMBER ---

function zrandmember(ctx: CommandContext): Reply {
  const { argv } = ctx
  if (argv.length < 3) {
    const z = readZset(ctx.db, keyOf(argv, 1))
    if (!z) return null
    return memberReply(z.randomMember(() => ctx.engine.random.next())!)
  }
  const count = randomCountArg(argv[2])
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHSCORES'))) throw Errors.syntax()
  const withscores = argv.length === 4
  if (withscores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
    throw new ReplyError('ERR value is out of range')
  }
  const z = readZset(ctx.db, keyOf(argv, 1))
  if (!z || count === 0n) return []
  const random = () => ctx.engine.random.next()
  const members: string[] = []
  // Asked for at least the whole set: Redis iterates it from the highest score down.
  const forEachDescending = (visit: (member: string) => void) => {
    for (const c = z.tail(); c.valid; c.prev()) visit(c.member)
  }
  const all = () => {
    const names: string[] = []
    forEachDescending((m) => names.push(m))
    return names
  }
  sample(
    count,
    z.length,
    () => z.randomMember(random)!,
    all,
    forEachDescending,
    random,
    (m) => members.push(m),
  )
  let scores: number[] | null = null
  if (withscores) {
    scores = new Array(members.length)
    for (let i = 0; i < members.length; i++) scores[i] = z.score(members[i])!
  }
  return membersReply(ctx, members, scores)
}

// --- ZSCAN ---

function zscan(ctx: CommandContext): Reply {
  const { argv } = ctx
  const cursor = scanCursorArg(argv[2])
  const z = readZset(ctx.db, keyOf(argv, 1))
  if (!z) return scanReply(0, [])
  const { pattern, count } = scanOptionsArg(argv, 3)
  const items: Buffer[] = []
  const visit = (member: string, score: number) => {
    if (pattern !== null && !stringMatch(pattern, member)) return
    items.push(memberReply(member), Buffer.from(formatDouble(score)))
  }
  // A listpack is returned whole in one call, in its (sorted) order; a skip list's hash table is scanned.
  if (z.encoding === 'listpack') {
    for (const c = z.head(); c.valid; c.next()) visit(c.member, c.score)
    return scanReply(0, items)
  }
  return scanReply(z.scan(cursor, count, visit), items)
}

const RO = ['read', 'sortedset'] as const
const RW = ['write', 'sortedset'] as const

export const zsetCommands = [
  command('zadd', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...RW, 'fast'], zadd),
  command('zincrby', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...RW, 'fast'], zincrby),
  command('zrem', -3, ['write', 'fast'], [1, 1, 1], [...RW, 'fast'], zrem),
  command('zcard', 2, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], zcard),
  command('zscore', 3, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], zscore),
  command('zmscore', -3, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], zmscore),
  command('zrank', 3, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], (ctx) => rankGeneric(ctx, false)),
  command('zrevrank', 3, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], (ctx) => rankGeneric(ctx, true)),
  command('zcount', 4, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], zcount),
  command('zlexcount', 4, ['readonly', 'fast'], [1, 1, 1], [...RO, 'fast'], zlexcount),
  command('zrange', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) => zrangeGeneric(ctx, 1, null, null, null)),
  command('zrangestore', -5, ['write', 'denyoom'], [1, 2, 1], [...RW, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 2, keyOf(ctx.argv, 1), null, null),
  ),
  command('zrevrange', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 1, null, 'rank', true),
  ),
  command('zrangebyscore', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 1, null, 'score', false),
  ),
  command('zrevrangebyscore', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 1, null, 'score', true),
  ),
  command('zrangebylex', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 1, null, 'lex', false),
  ),
  command('zrevrangebylex', -4, ['readonly'], [1, 1, 1], [...RO, 'slow'], (ctx) =>
    zrangeGeneric(ctx, 1, null, 'lex', true),
  ),
  command('zremrangebyrank', 4, ['write'], [1, 1, 1], [...RW, 'slow'], (ctx) => zremrangeGeneric(ctx, 'rank')),
  command('zremrangebyscore', 4, ['write'], [1, 1, 1], [...RW, 'slow'], (ctx) => zremrangeGeneric(ctx, 'score')),
  command('zremrangebylex', 4, ['write'], [1, 1, 1], [...RW, 'slow'], (ctx) => zremrangeGeneric(ctx, 'lex')),
  command('zrandmember', -2, ['readonly'], [1, 1, 1], [...RO, 'slow'], zrandmember),
  command('zscan', -3, ['readonly'], [1, 1, 1], [...RO, 'slow'], zscan),
  command('zpopmin', -2, ['write', 'fast'], [1, 1, 1], [...RW, 'fast'], zpopmin),
  command('zpopmax', -2, ['write', 'fast'], [1, 1, 1], [...RW, 'fast'], zpopmax),
  command('zmpop', -4, ['write', 'movablekeys'], null, [...RW, 'slow'], zmpop, { getKeys: mpopKeys(1) }),
  command('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], [...RW, 'fast', 'blocking'], bzpopmin),
  command('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], [...RW, 'fast', 'blocking'], bzpopmax),
  command('bzmpop', -5, ['write', 'blocking', 'movablekeys'], null, [...RW, 'slow', 'blocking'], bzmpop, {
    getKeys: mpopKeys(2),
  }),
  command('zunion', -3, ['readonly', 'movablekeys'], null, [...RO, 'slow'], zunion, { getKeys: numkeysKeys(1, false) }),
  command('zinter', -3, ['readonly', 'movablekeys'], null, [...RO, 'slow'], zinter, { getKeys: numkeysKeys(1, false) }),
  command('zdiff', -3, ['readonly', 'movablekeys'], null, [...RO, 'slow'], zdiff, { getKeys: numkeysKeys(1, false) }),
  command('zintercard', -3, ['readonly', 'movablekeys'], null, [...RO, 'slow'], zintercard, {
    getKeys: numkeysKeys(1, false),
  }),
  command('zunionstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...RW, 'slow'], zunionstore, {
    getKeys: numkeysKeys(2, true),
  }),
  command('zinterstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...RW, 'slow'], zinterstore, {
    getKeys: numkeysKeys(2, true),
  }),
  command('zdiffstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...RW, 'slow'], zdiffstore, {
    getKeys: numkeysKeys(2, true),
  }),
]
