/**
 * SORT and SORT_RO (Redis 7.0 sort.c): sort a list, set or sorted set numerically or lexicographically, by the
 * elements themselves or by keys derived from them (BY pattern, `*` replaced by the element, `->field` reading a
 * hash field), returning the elements or values derived from them (GET pattern, `#` for the element), optionally
 * storing the result as a list.
 *
 * Comparison is Redis's: numeric by score with ties broken by the elements' bytes; ALPHA by bytes (Redis uses
 * strcoll, which is byte order in the C locale Redis runs in by default); a missing BY value sorts first.
 */
import type { Database } from '../keyspace/database.ts'
import { RedisHash } from '../keyspace/types/hash.ts'
import { RedisList } from '../keyspace/types/list.ts'
import { RedisSet } from '../keyspace/types/set.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { Errors, type Reply, ReplyError } from '../protocol/reply.ts'
import { integerArg, isOption, keyOf } from './args.ts'
import { pqsort } from './pqsort.ts'
import { strtod } from './score.ts'
import { type CommandContext, command } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/keyspace-events.ts'

interface SortEntry {
  /** The element, as bytes. */
  element: Buffer
  score: number
  /** The BY value for ALPHA sorting by pattern; null when its key is missing. */
  compareWith: Buffer | null
}

/**
 * lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by the element, and a `->field`
 * after it reads that hash field. Null when the pattern has no `*`, the key is missing or of the wrong type.
 */
function lookupByPattern(db: Database, pattern: Buffer, element: Buffer): Buffer | null {
  if (pattern.length === 1 && pattern[0] === 0x23) return element
  const star = pattern.indexOf(0x2a)
  if (star === -1) return null
  const arrow = pattern.indexOf('->', star + 1, 'latin1')
  const hasField = arrow !== -1 && arrow + 2 < pattern.length
  const keyEnd = hasField ? arrow : pattern.length
  const key =
    pattern.toString('latin1', 0, star) + element.toString('latin1') + pattern.toString('latin1', star + 1, keyEnd)
  const value = db.get(key)
  if (value === undefined) return null
  if (hasField) {
    if (!(value instanceof RedisHash)) return null
    return value.fields.get(pattern.toString('latin1', arrow + 2)) ?? null
  }
  return Buffer.isBuffer(value) ? value : null
}

/** The BY value as a number, strtod over the whole string (leading spaces allowed); null when it is not one. */
function sortScore(value: Buffer): number | null {
  const text = value.toString('latin1')
  const r = strtod(text)
  // Converting nothing leaves the end at 0, which is the whole string only when it is empty (score 0).
  if (r.end !== text.length || r.range || Number.isNaN(r.value)) return null
  return r.value
}

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b)
}

function sortGeneric(ctx: CommandContext, readOnly: boolean): Reply {
  const { argv, db } = ctx
  let desc = false
  let alpha = false
  let limitStart = 0
  let limitCount = -1
  let dontSort = false
  let sortBy: Buffer | null = null
  let storeKey: string | null = null
  const gets: Buffer[] = []
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1
    const opt = argv[j]
    if (isOption(opt, 'ASC')) desc = false
    else if (isOption(opt, 'DESC')) desc = true
    else if (isOption(opt, 'ALPHA')) alpha = true
    else if (isOption(opt, 'LIMIT') && left >= 2) {
      limitStart = integerArg(argv[j + 1])
      limitCount = integerArg(argv[j + 2])
      j += 2
    } else if (!readOnly && isOption(opt, 'STORE') && left >= 1) {
      storeKey = keyOf(argv, ++j)
    } else if (isOption(opt, 'BY') && left >= 1) {
      sortBy = argv[++j]
      // A pattern without `*` names one constant key for every element: nothing to sort by. As in Redis, a later BY
      // with a `*` does not undo that.
      if (sortBy.indexOf(0x2a) === -1) dontSort = true
    } else if (isOption(opt, 'GET') && left >= 1) {
      gets.push(argv[++j])
    } else {
      throw Errors.syntax()
    }
  }

  const value = db.get(keyOf(argv, 1))
  if (
    value !== undefined &&
    !(value instanceof RedisList) &&
    !(value instanceof RedisSet) &&
    !(value instanceof SortedSet)
  ) {
    throw Errors.wrongType()
  }
  // Redis converts a sorted set to a skip list before sorting it (zsetConvert), whatever the options.
  if (value instanceof SortedSet) value.encoding = 'skiplist'
  // A set has no order of its own: when its elements are not sorted, sort them anyway for a stored result or a
  // script, so that the outcome is deterministic.
  if (dontSort && value instanceof RedisSet && (storeKey !== null || ctx.origin === 'script')) {
    dontSort = false
    alpha = true
    sortBy = null
  }

  let length = value === undefined ? 0 : value.length
  let start = Math.max(limitStart, 0)
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1
  if (start >= length) {
    start = length - 1
    end = length - 2
  }
  if (end >= length) end = length - 1

  const entries: SortEntry[] = []
  const add = (element: Buffer): void => {
    entries.push({ element, score: 0, compareWith: null })
  }
  if ((value instanceof RedisList || value instanceof SortedSet) && dontSort) {
    // Native order, and only the LIMIT range is loaded.
    if (start !== 0 || end !== length - 1) length = end - start + 1
    if (value instanceof RedisList) {
      if (end >= start) {
        const total = value.length
        for (let i = 0; i < length; i++) add(value.at(desc ? total - start - 1 - i : start + i))
      }
    } else {
      const total = value.length
      const c = value.at(desc ? total - start - 1 : start)
      for (let i = 0; i < length && c.valid; i++) {
        add(Buffer.from(c.member, 'latin1'))
        if (desc) c.prev()
        else c.next()
      }
    }
    end -= start
    start = 0
  } else if (value instanceof RedisList) {
    for (let i = 0; i < value.length; i++) add(value.at(i))
  } else if (value instanceof RedisSet) {
    value.forEach((member) => {
      add(Buffer.from(member, 'latin1'))
    })
  } else if (value instanceof SortedSet) {
    for (const c = value.head(); c.valid; c.next()) add(Buffer.from(c.member, 'latin1'))
  }

  let conversionError = false
  if (!dontSort) {
    for (const entry of entries) {
      const by = sortBy ? lookupByPattern(db, sortBy, entry.element) : entry.element
      if (by === null) continue
      if (alpha) {
        if (sortBy) entry.compareWith = by
      } else {
        const score = sortScore(by)
        if (score === null) conversionError = true
        else entry.score = score
      }
    }
    const byPattern = sortBy !== null
    const compare = (a: SortEntry, b: SortEntry): number => {
      let cmp: number
      if (!alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element)
      } else if (byPattern) {
        if (a.compareWith === null || b.compareWith === null) {
          cmp = a.compareWith === b.compareWith ? 0 : a.compareWith === null ? -1 : 1
        } else {
          cmp = compareBytes(a.compareWith, b.compareWith)
        }
      } else {
        cmp = compareBytes(a.element, b.element)
      }
      return desc ? -cmp : cmp
    }
    // Redis sorts with qsort (glibc's is a stable merge sort, as Array.sort is), but with a BY pattern and a LIMIT
    // inside the input it uses pqsort, whose order of tied elements is its own.
    if (byPattern && (start !== 0 || end !== entries.length - 1)) pqsort(entries, compare, start, end)
    else entries.sort(compare)
  }

  if (conversionError) throw new ReplyError("ERR One or more scores can't be converted into double")
  const outputLength = gets.length > 0 ? gets.length * (end - start + 1) : end - start + 1
  if (storeKey === null) {
    const out: Reply[] = []
    for (let j = start; j <= end; j++) {
      const element = entries[j].element
      if (gets.length === 0) out.push(element)
      for (const pattern of gets) out.push(lookupByPattern(db, pattern, element))
    }
    return out
  }
  const list = new RedisList(Math.max(outputLength, 0))
  for (let j = start; j <= end; j++) {
    const element = entries[j].element
    if (gets.length === 0) list.pushBack(element)
    for (const pattern of gets) list.pushBack(lookupByPattern(db, pattern, element) ?? Buffer.alloc(0))
  }
  if (outputLength > 0) {
    db.set(storeKey, list)
    db.notify(NOTIFY_LIST, 'sortstore', storeKey)
  } else if (db.delete(storeKey)) db.notify(NOTIFY_GENERIC, 'del', storeKey)
  return outputLength
}

/** sortGetKeys: the sorted key, and the last STORE destination (skipping LIMIT, GET and BY arguments). */
function sortKeys(argv: Buffer[]): number[] {
  const keys = [1]
  let store = -1
  for (let i = 2; i < argv.length; i++) {
    if (isOption(argv[i], 'LIMIT')) i += 2
    else if (isOption(argv[i], 'GET') || isOption(argv[i], 'BY')) i += 1
    else if (isOption(argv[i], 'STORE') && i + 1 < argv.length) store = i + 1
  }
  if (store !== -1) keys.push(store)
  return keys
}

export const sortCommands = [
  command(
    'sort',
    -2,
    ['write', 'denyoom', 'movablekeys'],
    [1, 1, 1],
    ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    (ctx) => sortGeneric(ctx, false),
    { getKeys: sortKeys },
  ),
  command(
    'sort_ro',
    -2,
    ['readonly', 'movablekeys'],
    [1, 1, 1],
    ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    (ctx) => sortGeneric(ctx, true),
    { getKeys: () => [1] },
  ),
]
