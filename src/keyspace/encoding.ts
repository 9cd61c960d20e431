/**
 * Redis's internal encodings, as OBJECT ENCODING reports them and as the size thresholds in CONFIG decide them.
 *
 * redsim stores every value one way; what it tracks is which representation Redis *would* be using, because that
 * is observable: OBJECT ENCODING, and the commands whose replies depend on it (a compact aggregate is scanned in one
 * call, in its stored order; a listpack keeps -0 as 0). Conversions are sticky as in Redis: an aggregate that grew
 * past a threshold keeps its large encoding after shrinking.
 *
 * - strings: `int` for canonical 64-bit integers of at most 20 bytes, `embstr` up to 44 bytes, `raw` beyond, and
 *   `raw` for any string a command modified in place (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP's result, PFADD...),
 *   which commands mark with `markStringEncoding`.
 * - hashes, lists, sets: their classes keep their own encoding (src/keyspace/types/{hash,list,set}.ts) and convert
 *   at the thresholds below, which their commands read from here.
 * - sorted sets: `listpack` up to zset-max-listpack-entries members none longer than zset-max-listpack-value bytes,
 *   else `skiplist`; the helpers below apply Redis's rules at creation, insertion and for store commands.
 */
import type { ConfigRegistry } from '../engine/config.ts'
import { isInt64String } from './types/set.ts'
import { SortedSet, type ZsetEncoding } from './types/zset.ts'
import type { RedisValue } from './values.ts'

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_SIZE_LIMIT = 44
/** Redis's OBJ_SHARED_INTEGERS: SET of 0..9999 shares one object (OBJECT REFCOUNT says INT_MAX). */
const SHARED_INTEGERS = 10000
const SHARED_REFCOUNT = 2147483647

export type StringEncoding = 'int' | 'embstr' | 'raw'

/** Strings whose encoding is not the one their content implies (a modified string is `raw`, INCRBYFLOAT `embstr`). */
const stringEncodings = new WeakMap<Buffer, StringEncoding>()

/**
 * Records the encoding Redis gives a string a command just stored, when it differs from what SET would give the same
 * bytes: `raw` after an in-place modification (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP, PFADD, ...), `embstr` for an
 * INCRBYFLOAT result. The mark travels with the Buffer, so store the marked Buffer itself.
 */
export function markStringEncoding(value: Buffer, encoding: StringEncoding): Buffer {
  stringEncodings.set(value, encoding)
  return value
}

/** What tryObjectEncoding gives the bytes of a SET, or the mark left by the command that stored them. */
export function stringEncoding(value: Buffer): StringEncoding {
  const marked = stringEncodings.get(value)
  if (marked) return marked
  if (value.length <= 20 && isInt64Bytes(value)) return 'int'
  return value.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw'
}

/** isInt64String on the bytes themselves, without decoding them to a string first (SET's hot path). */
export function isInt64Bytes(value: Buffer): boolean {
  const len = value.length
  if (len === 0) return false
  let i = 0
  if (value[0] === 0x2d) {
    if (len === 1) return false
    i = 1
  }
  if (value[i] === 0x30) return len === 1
  for (let j = i; j < len; j++) {
    const c = value[j]
    if (c < 0x30 || c > 0x39) return false
  }
  return len - i < 19 || isInt64String(value.toString('latin1'))
}

/** OBJECT ENCODING's answer for a value. */
export function objectEncoding(value: RedisValue): string {
  if (Buffer.isBuffer(value)) return stringEncoding(value)
  const encoded = value as { encoding?: string }
  return encoded.encoding ?? value.redisType
}

/**
 * OBJECT REFCOUNT: Redis shares the integers 0..9999 that SET stores (unless maxmemory is set with an LRU/LFU policy,
 * which needs per-key access data); every other value has one reference.
 */
export function objectRefcount(value: RedisValue, config: ConfigRegistry): number {
  if (!Buffer.isBuffer(value) || stringEncoding(value) !== 'int' || stringEncodings.has(value)) return 1
  const n = Number(value.toString('latin1'))
  if (n < 0 || n >= SHARED_INTEGERS) return 1
  const policy = config.get('maxmemory-policy')
  const noSharing = config.get('maxmemory') !== '0' && (policy.includes('lru') || policy.includes('lfu'))
  return noSharing ? 1 : SHARED_REFCOUNT
}

// --- thresholds ---

export function hashMaxListpackEntries(config: ConfigRegistry): number {
  return config.getNumber('hash-max-listpack-entries')
}
export function hashMaxListpackValue(config: ConfigRegistry): number {
  return config.getNumber('hash-max-listpack-value')
}
export function setMaxIntsetEntries(config: ConfigRegistry): number {
  return config.getNumber('set-max-intset-entries')
}
export function zsetMaxListpackEntries(config: ConfigRegistry): number {
  return config.getNumber('zset-max-listpack-entries')
}
export function zsetMaxListpackValue(config: ConfigRegistry): number {
  return config.getNumber('zset-max-listpack-value')
}

// --- sorted sets ---

/**
 * A new sorted set for ZADD and friends (zsetTypeCreate): a listpack unless listpacks are disabled or the first
 * member is already too long for one.
 */
export function createSortedSet(config: ConfigRegistry, firstMemberLength: number): SortedSet {
  const entries = zsetMaxListpackEntries(config)
  const encoding: ZsetEncoding =
    entries === 0 || firstMemberLength > zsetMaxListpackValue(config) ? 'skiplist' : 'listpack'
  return new SortedSet(encoding)
}

/**
 * The conversion zsetAdd makes before inserting `memberLength` bytes into a listpack: to a skip list when the set
 * would exceed zset-max-listpack-entries or the member is longer than zset-max-listpack-value. Call before `set`.
 */
export function prepareSortedSetInsert(z: SortedSet, config: ConfigRegistry, memberLength: number): void {
  if (z.encoding !== 'listpack') return
  if (z.length + 1 > zsetMaxListpackEntries(config) || memberLength > zsetMaxListpackValue(config)) {
    z.encoding = 'skiplist'
  }
}

/**
 * zsetConvertToListpackIfNeeded, for the store commands (ZUNIONSTORE & co. build a skip list, then shrink it):
 * back to a listpack when small enough. `maxMemberLength` is the longest member.
 */
export function shrinkSortedSetIfSmall(z: SortedSet, config: ConfigRegistry, maxMemberLength: number): void {
  if (z.encoding === 'listpack') return
  if (z.length <= zsetMaxListpackEntries(config) && maxMemberLength <= zsetMaxListpackValue(config)) z.toListpack()
}
