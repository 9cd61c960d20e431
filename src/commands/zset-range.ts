/**
 * Score and lexicographic ranges over a sorted set, with Redis 7.0's parsing and its rules for finding the ends of
 * a range (zslParseRange, zslParseLexRange, z{z,sl}{First,Last}In{,Lex}Range).
 *
 * Score ranges are monotone over the set's order, so both ends are found by a tree descent, O(log n).
 *
 * Lex ranges only make sense when all scores are equal. Redis does not check that; what it returns otherwise depends
 * on the encoding: a listpack is scanned linearly from the head (or tail) for the first element past the bound, a
 * skip list is descended. We do the same: a linear scan for the listpack encoding (at most
 * zset-max-listpack-entries elements) so small sets with mixed scores answer exactly as Redis does, and a descent
 * for the skiplist encoding (where Redis's own answer depends on its random levels).
 */
import { ReplyError } from '../protocol/reply.ts'
import type { SortedSet } from '../keyspace/types/zset.ts'
import { parseRangeBound } from './score.ts'

export interface ScoreRange {
  readonly min: number
  readonly max: number
  readonly minex: boolean
  readonly maxex: boolean
}

/** zslParseRange: `(` makes a bound exclusive; null when either bound is not a float. */
export function parseScoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange | null {
  const minText = minArg.toString('latin1')
  const maxText = maxArg.toString('latin1')
  const minex = minText.charCodeAt(0) === 0x28
  const maxex = maxText.charCodeAt(0) === 0x28
  const min = parseRangeBound(minText, minex ? 1 : 0)
  const max = parseRangeBound(maxText, maxex ? 1 : 0)
  if (min === null || max === null) return null
  return { min, max, minex, maxex }
}

export function scoreRangeArg(minArg: Buffer, maxArg: Buffer): ScoreRange {
  const range = parseScoreRange(minArg, maxArg)
  if (!range) throw new ReplyError('ERR min or max is not a float')
  return range
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max
}

/** Rank of the first element inside the range, or -1. */
export function firstInScoreRange(z: SortedSet, r: ScoreRange): number {
  const rank = z.rankOf((score) => scoreGteMin(score, r))
  if (rank >= z.length) return -1
  return scoreLteMax(z.at(rank).score, r) ? rank : -1
}

/** Rank of the last element inside the range, or -1. */
export function lastInScoreRange(z: SortedSet, r: ScoreRange): number {
  const rank = z.rankOf((score) => !scoreLteMax(score, r)) - 1
  if (rank < 0) return -1
  return scoreGteMin(z.at(rank).score, r) ? rank : -1
}

/** A lex bound: `-` and `+` are sentinels below and above every string (and count as exclusive, as in Redis). */
export interface LexRange {
  readonly min: string | typeof MIN_STRING | typeof MAX_STRING
  readonly max: string | typeof MIN_STRING | typeof MAX_STRING
  readonly minex: boolean
  readonly maxex: boolean
}

export const MIN_STRING = Symbol('-')
export const MAX_STRING = Symbol('+')

type LexBound = { value: string | typeof MIN_STRING | typeof MAX_STRING; exclusive: boolean }

/** zslParseLexRangeItem; null when invalid. `+` and `-` are read as C strings: a NUL may follow them. */
function parseLexItem(arg: Buffer): LexBound | null {
  if (arg.length === 0) return null
  switch (arg[0]) {
    case 0x2b: // +
      return arg.length === 1 || arg[1] === 0 ? { value: MAX_STRING, exclusive: true } : null
    case 0x2d: // -
      return arg.length === 1 || arg[1] === 0 ? { value: MIN_STRING, exclusive: true } : null
    case 0x28: // (
      return { value: arg.toString('latin1', 1), exclusive: true }
    case 0x5b: // [
      return { value: arg.toString('latin1', 1), exclusive: false }
    default:
      return null
  }
}

export function lexRangeArg(minArg: Buffer, maxArg: Buffer): LexRange {
  const min = parseLexItem(minArg)
  const max = parseLexItem(maxArg)
  if (!min || !max) throw new ReplyError('ERR min or max not valid string range item')
  return { min: min.value, max: max.value, minex: min.exclusive, maxex: max.exclusive }
}

/** sdscmplex: sentinels compare below/above everything, equal only to themselves. */
function compareLex(a: LexRange['min'], b: LexRange['min']): number {
  if (a === b) return 0
  if (a === MIN_STRING || b === MAX_STRING) return -1
  if (a === MAX_STRING || b === MIN_STRING) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const cmp = compareLex(member, r.min)
  return r.minex ? cmp > 0 : cmp >= 0
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const cmp = compareLex(member, r.max)
  return r.maxex ? cmp < 0 : cmp <= 0
}

/** z{zl,sl}IsInLexRange: false when the range is empty or misses the set's ends entirely. */
function mayIntersectLex(z: SortedSet, r: LexRange): boolean {
  const cmp = compareLex(r.min, r.max)
  if (cmp > 0 || (cmp === 0 && (r.minex || r.maxex))) return false
  if (z.length === 0) return false
  if (!lexGteMin(z.tail().member, r)) return false
  return lexLteMax(z.head().member, r)
}

/** Rank of the first element in the lex range, or -1. */
export function firstInLexRange(z: SortedSet, r: LexRange): number {
  if (!mayIntersectLex(z, r)) return -1
  let rank: number
  if (z.encoding === 'listpack') {
    rank = 0
    const c = z.head()
    while (c.valid && !lexGteMin(c.member, r)) {
      c.next()
      rank++
    }
    if (!c.valid) return -1
    return lexLteMax(c.member, r) ? rank : -1
  }
  rank = z.rankOf((_score, member) => lexGteMin(member, r))
  if (rank >= z.length) return -1
  return lexLteMax(z.at(rank).member, r) ? rank : -1
}

/** Rank of the last element in the lex range, or -1. */
export function lastInLexRange(z: SortedSet, r: LexRange): number {
  if (!mayIntersectLex(z, r)) return -1
  let rank: number
  if (z.encoding === 'listpack') {
    rank = z.length - 1
    const c = z.tail()
    while (c.valid && !lexLteMax(c.member, r)) {
      c.prev()
      rank--
    }
    if (!c.valid) return -1
    return lexGteMin(c.member, r) ? rank : -1
  }
  rank = z.rankOf((_score, member) => !lexLteMax(member, r)) - 1
  if (rank < 0) return -1
  return lexGteMin(z.at(rank).member, r) ? rank : -1
}
