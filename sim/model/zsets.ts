import { type CommandSpec, firstKey, indexRange, integerArg, zsetAt } from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { CommandError, ModelErrors, type ModelReply } from './reply.ts'
import { compareZSetEntries, makeZSet, type ZSetEntry } from './values.ts'

/**
 * The sorted-set subset a sliding-window rate limiter needs: ZADD (NX/XX/CH), ZREM, ZREMRANGEBYSCORE, ZCARD,
 * ZCOUNT, and ZRANGE by index without scores (score formatting is deliberately out of the model's scope).
 */

const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/
const INFINITY = /^([+-]?)inf(inity)?$/i

/** strtod as Redis uses it for scores: decimal floats and +-inf; NaN is rejected. */
export function parseScore(text: string): number | undefined {
  const infinity = INFINITY.exec(text)
  if (infinity) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  return FLOAT.test(text) ? Number(text) : undefined
}

interface ScoreBound {
  value: number
  exclusive: boolean
}

function parseBound(text: string): ScoreBound {
  const exclusive = text.startsWith('(')
  const value = parseScore(exclusive ? text.slice(1) : text)
  if (value === undefined) throw ModelErrors.minMaxNotFloat()
  return { value, exclusive }
}

function inRange(score: number, min: ScoreBound, max: ScoreBound): boolean {
  const aboveMin = min.exclusive ? score > min.value : score >= min.value
  const belowMax = max.exclusive ? score < max.value : score <= max.value
  return aboveMin && belowMax
}

function zadd(db: KeyspaceDraft, argv: readonly string[]): ModelReply {
  let nx = false
  let xx = false
  let ch = false
  let i = 2
  for (; i < argv.length; i++) {
    const option = argv[i].toUpperCase()
    if (option === 'NX') nx = true
    else if (option === 'XX') xx = true
    else if (option === 'CH') ch = true
    else if (option === 'GT' || option === 'LT' || option === 'INCR') {
      throw new Error(`model: ZADD ${option} is not modelled`)
    } else break
  }
  const pairs = argv.length - i
  if (pairs === 0 || pairs % 2 !== 0) throw ModelErrors.syntax()
  if (nx && xx) throw new CommandError('ERR XX and NX options at the same time are not compatible')
  const updates: ZSetEntry[] = []
  for (; i < argv.length; i += 2) {
    const score = parseScore(argv[i])
    if (score === undefined) throw ModelErrors.notFloat()
    updates.push({ score, member: argv[i + 1] })
  }
  const byMember = new Map((zsetAt(db, argv[1])?.entries ?? []).map((e) => [e.member, e.score]))
  let added = 0
  let changed = 0
  for (const { member, score } of updates) {
    const old = byMember.get(member)
    if (old === undefined) {
      if (xx) continue
      added++
    } else {
      if (nx || old === score) continue
      changed++
    }
    byMember.set(member, score)
  }
  // Redis signals a modification (and so touches WATCH) only when something was added or changed.
  if (added + changed > 0) db.set(argv[1], sortedSet(byMember), true)
  return ch ? added + changed : added
}

function sortedSet(byMember: Map<string, number>): ReturnType<typeof makeZSet> {
  const entries = [...byMember].map(([member, score]) => ({ member, score }))
  entries.sort(compareZSetEntries)
  return makeZSet(entries)
}

export const zsetCommands: CommandSpec[] = [
  { name: 'ZADD', arity: -4, keys: firstKey, run: zadd },
  {
    name: 'ZREM',
    arity: -3,
    keys: firstKey,
    run: (db, argv) => {
      const zset = zsetAt(db, argv[1])
      if (zset === undefined) return 0
      const gone = new Set(argv.slice(2))
      const kept = zset.entries.filter((e) => !gone.has(e.member))
      const removed = zset.entries.length - kept.length
      if (kept.length === 0) db.delete(argv[1])
      else if (removed > 0) db.set(argv[1], makeZSet(kept), true)
      return removed
    },
  },
  {
    name: 'ZREMRANGEBYSCORE',
    arity: 4,
    keys: firstKey,
    run: (db, argv) => {
      const min = parseBound(argv[2])
      const max = parseBound(argv[3])
      const zset = zsetAt(db, argv[1])
      if (zset === undefined) return 0
      const kept = zset.entries.filter((e) => !inRange(e.score, min, max))
      const removed = zset.entries.length - kept.length
      if (kept.length === 0) db.delete(argv[1])
      else if (removed > 0) db.set(argv[1], makeZSet(kept), true)
      return removed
    },
  },
  { name: 'ZCARD', arity: 2, keys: firstKey, run: (db, argv) => zsetAt(db, argv[1])?.entries.length ?? 0 },
  {
    name: 'ZCOUNT',
    arity: 4,
    keys: firstKey,
    run: (db, argv) => {
      const min = parseBound(argv[2])
      const max = parseBound(argv[3])
      return (zsetAt(db, argv[1])?.entries ?? []).filter((e) => inRange(e.score, min, max)).length
    },
  },
  {
    name: 'ZRANGE',
    arity: -4,
    keys: firstKey,
    run: (db, argv) => {
      if (argv.length > 4) throw new Error(`model: ZRANGE options (${argv.slice(4).join(' ')}) are not modelled`)
      const entries = zsetAt(db, argv[1])?.entries ?? []
      const range = indexRange(integerArg(argv[2]), integerArg(argv[3]), entries.length)
      return range === undefined ? [] : entries.slice(range[0], range[1] + 1).map((e) => e.member)
    },
  },
]
