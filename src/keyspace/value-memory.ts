/**
 * The size of one value as Redis 7.0 would hold it (the model in memory-size.ts applied to redsim's values), in O(1):
 * strings from their length and encoding, aggregates from the running sums their mutation methods keep.
 */
import { isInt64Bytes, stringEncoding } from './encoding.ts'
import {
  hashtableBytes,
  intsetBytes,
  listpackBytes,
  quicklistBytes,
  ROBJ,
  sdsAlloc,
  skiplistBytes,
  stringBytes,
} from './memory-size.ts'
import { RedisHash } from './types/hash.ts'
import { RedisList } from './types/list.ts'
import { RedisSet } from './types/set.ts'
import { RedisStream } from './types/stream.ts'
import { SortedSet } from './types/zset.ts'
import { isStringValue, type RedisValue } from './values.ts'

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are `raw` whatever marks them. */
const EMBSTR_LIMIT = 44

/**
 * Bytes of `value`; `listFill` is list-max-listpack-size (the quicklist node limit). What the databases count on every
 * write, so a short string is sized by its content alone (int or embstr, as SET would encode it): the mark a command
 * like APPEND leaves on it (encoding.ts) is a WeakMap lookup, too slow for SET's path, and changes its size by a few
 * bytes at most. MEMORY USAGE uses `exactValueBytes`.
 */
export function valueBytes(value: RedisValue, listFill: number): number {
  if (isStringValue(value)) {
    const len = value.length
    if (len > EMBSTR_LIMIT) return ROBJ + sdsAlloc(len)
    return stringBytes(len, len <= 20 && isInt64Bytes(value) ? 'int' : 'embstr')
  }
  return aggregateBytes(value, listFill)
}

/** `valueBytes` with a string's actual encoding (MEMORY USAGE). */
export function exactValueBytes(value: RedisValue, listFill: number): number {
  if (isStringValue(value)) return stringBytes(value.length, stringEncoding(value))
  if (value instanceof RedisStream) return value.memoryBytes(true)
  return aggregateBytes(value, listFill)
}

function aggregateBytes(value: RedisValue, listFill: number): number {
  if (value instanceof RedisList) return quicklistBytes(value.length, value.entryBytes, listFill)
  if (value instanceof RedisHash) {
    const fields = value.fields
    return value.isListpack ? listpackBytes(fields.lpBytes) : hashtableBytes(fields.size, fields.sdsBytes)
  }
  if (value instanceof RedisSet) {
    return value.isIntset ? intsetBytes(value.length, value.intWidth) : hashtableBytes(value.length, value.sdsBytes)
  }
  if (value instanceof SortedSet) {
    return value.encoding === 'listpack' ? listpackBytes(value.lpBytes) : skiplistBytes(value.length, value.sdsBytes)
  }
  if (value instanceof RedisStream) return value.memoryBytes()
  return ROBJ
}
