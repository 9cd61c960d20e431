/**
 * One value in the RDB format, both ways: its type byte and payload (rdbSaveObjectType/rdbSaveObject and
 * rdbLoadObject). The same code serves RDB files and DUMP payloads.
 *
 * Writing picks the simple encodings every Redis since 2.x loads: a string, a plain list of elements, a plain set, a
 * zset with binary scores (ZSET_2) and a hash of field/value pairs; redis-server converts them to its compact
 * encodings on load by its own thresholds, as redsim does. Reading accepts every encoding Redis 7.0 can load: those
 * plus the ziplist, quicklist (ziplist and listpack nodes), intset, zipmap and listpack forms. Streams are written and
 * read in their own module (rdb-stream.ts); module values are refused.
 */
import type { ConfigRegistry } from '../engine/config.ts'
import { FieldTable } from '../keyspace/types/field-table.ts'
import { RedisHash } from '../keyspace/types/hash.ts'
import { RedisList } from '../keyspace/types/list.ts'
import { RedisSet } from '../keyspace/types/set.ts'
import { RedisStream } from '../keyspace/types/stream.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { isStringValue, type RedisValue } from '../keyspace/values.ts'
import { readIntset, readListpack, readZiplist, readZipmap } from './compact-encodings.ts'
import type { RdbDecoder } from './rdb-decoder.ts'
import type { RdbEncoder } from './rdb-encoder.ts'
import { QUICKLIST_NODE_PACKED, QUICKLIST_NODE_PLAIN, RdbError, RdbType } from './rdb-format.ts'
import { readStream, writeStream } from './rdb-stream.ts'

/** The thresholds that decide which encoding a loaded aggregate gets, as Redis applies them on load. */
export interface EncodingLimits {
  hashEntries: number
  hashValue: number
  setIntsetEntries: number
  zsetEntries: number
  zsetValue: number
}

export function encodingLimits(config: ConfigRegistry): EncodingLimits {
  return {
    hashEntries: config.getNumber('hash-max-listpack-entries'),
    hashValue: config.getNumber('hash-max-listpack-value'),
    setIntsetEntries: config.getNumber('set-max-intset-entries'),
    zsetEntries: config.getNumber('zset-max-listpack-entries'),
    zsetValue: config.getNumber('zset-max-listpack-value'),
  }
}

/** The type byte `writeValuePayload` writes for `value`. */
export function valueType(value: RedisValue): number {
  if (isStringValue(value)) return RdbType.STRING
  if (value instanceof RedisList) return RdbType.LIST
  if (value instanceof RedisSet) return RdbType.SET
  if (value instanceof SortedSet) return RdbType.ZSET_2
  if (value instanceof RedisHash) return RdbType.HASH
  if (value instanceof RedisStream) return RdbType.STREAM_LISTPACKS_2
  throw new RdbError(`redsim cannot write ${value.redisType} values in RDB format yet`, 'unsupported')
}

/** Writes `value`'s type byte and payload (a DUMP payload's body). */
export function writeValue(out: RdbEncoder, value: RedisValue): void {
  out.u8(valueType(value))
  writeValuePayload(out, value)
}

/** Writes the payload of `value`, in the encoding `valueType` names. */
export function writeValuePayload(out: RdbEncoder, value: RedisValue): void {
  if (isStringValue(value)) {
    out.string(value)
  } else if (value instanceof RedisList) {
    out.length(value.length)
    for (let i = 0; i < value.length; i++) out.string(value.at(i))
  } else if (value instanceof RedisSet) {
    out.length(value.length)
    value.forEach((member) => {
      out.latin1(member)
    })
  } else if (value instanceof SortedSet) {
    out.length(value.length)
    for (const c = value.head(); c.valid; c.next()) {
      out.latin1(c.member)
      out.binaryDouble(c.score)
    }
  } else if (value instanceof RedisHash) {
    out.length(value.length)
    value.fields.forEach((field, v) => {
      out.latin1(field)
      out.string(v)
    })
  } else if (value instanceof RedisStream) {
    writeStream(out, value)
  } else {
    throw new RdbError(`redsim cannot write ${value.redisType} values in RDB format yet`, 'unsupported')
  }
}

/** Whether `type` is a value type byte (anything else in a key's place is an opcode or corruption). */
export function isValueType(type: number): boolean {
  return (type >= 0 && type <= 7) || (type >= 9 && type <= 19)
}

/**
 * Reads the payload of a value of `type` (rdbLoadObject). Returns null for an empty aggregate, which Redis skips on
 * load and RESTORE refuses (an empty stream is a value like any other and comes back as one).
 */
export function readValue(input: RdbDecoder, type: number, limits: EncodingLimits): RedisValue | null {
  switch (type) {
    case RdbType.STRING:
      return input.string()
    case RdbType.LIST: {
      const n = input.count()
      const list = new RedisList(Math.min(n, 1 << 16))
      for (let i = 0; i < n; i++) list.pushBack(input.string())
      return list.length === 0 ? null : list
    }
    case RdbType.LIST_ZIPLIST:
      return listOf((visit) => readZiplist(input.string(), visit))
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2: {
      const nodes = input.count()
      return listOf((visit) => {
        for (let i = 0; i < nodes; i++) {
          const container = type === RdbType.LIST_QUICKLIST_2 ? input.length() : QUICKLIST_NODE_PACKED
          const blob = input.string()
          if (container === QUICKLIST_NODE_PLAIN) visit(blob)
          else if (container !== QUICKLIST_NODE_PACKED) throw new RdbError(`Quicklist integrity check failed`)
          else if (type === RdbType.LIST_QUICKLIST) readZiplist(blob, visit)
          else readListpack(blob, visit)
        }
      })
    }
    case RdbType.SET: {
      const n = input.count()
      return setOf(limits, (visit) => {
        for (let i = 0; i < n; i++) visit(input.string())
      })
    }
    case RdbType.SET_INTSET:
      return setOf(limits, (visit) => readIntset(input.string(), visit))
    case RdbType.ZSET:
    case RdbType.ZSET_2: {
      const n = input.count(2)
      const pairs: Array<[Buffer, number]> = []
      for (let i = 0; i < n; i++) {
        const member = input.string()
        const score = type === RdbType.ZSET_2 ? input.binaryDouble() : input.textDouble()
        if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected')
        pairs.push([member, score])
      }
      return zsetOf(limits, pairs)
    }
    case RdbType.ZSET_ZIPLIST:
    case RdbType.ZSET_LISTPACK: {
      const blob = input.string()
      const entries: Buffer[] = []
      if (type === RdbType.ZSET_ZIPLIST) readZiplist(blob, (e) => entries.push(e))
      else readListpack(blob, (e) => entries.push(e))
      if (entries.length % 2 !== 0) throw new RdbError('Zset listpack integrity check failed')
      const pairs: Array<[Buffer, number]> = []
      for (let i = 0; i < entries.length; i += 2) pairs.push([entries[i], scoreFromText(entries[i + 1])])
      return zsetOf(limits, pairs)
    }
    case RdbType.HASH: {
      const n = input.count(2)
      return hashOf(limits, (visit) => {
        for (let i = 0; i < n; i++) {
          visit(input.string())
          visit(input.string())
        }
      })
    }
    case RdbType.HASH_ZIPMAP:
      return hashOf(limits, (visit) => readZipmap(input.string(), visit))
    case RdbType.HASH_ZIPLIST:
      return hashOf(limits, (visit) => readZiplist(input.string(), visit))
    case RdbType.HASH_LISTPACK:
      return hashOf(limits, (visit) => readListpack(input.string(), visit))
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
      return readStream(input, type)
    case RdbType.MODULE:
    case RdbType.MODULE_2:
      throw new RdbError('redsim has no modules: a module value cannot be loaded', 'unsupported')
    default:
      throw new RdbError(`Unknown RDB encoding type ${type}`)
  }
}

type Feed = (visit: (entry: Buffer) => void) => void

function listOf(feed: Feed): RedisList | null {
  const list = new RedisList()
  feed((element) => list.pushBack(element))
  return list.length === 0 ? null : list
}

/** A set built as setTypeAdd would: an intset while every member is an integer and there are few enough. */
function setOf(limits: EncodingLimits, feed: Feed): RedisSet | null {
  const set = new RedisSet()
  feed((member) => {
    if (!set.add(member.toString('latin1'), limits.setIntsetEntries)) {
      throw new RdbError('Duplicate set members detected')
    }
  })
  return set.length === 0 ? null : set
}

/** A hash from alternating fields and values: a listpack unless too many fields or a too long field or value. */
function hashOf(limits: EncodingLimits, feed: Feed): RedisHash | null {
  const fields = new FieldTable<Buffer>()
  let field: string | null = null
  let longest = 0
  feed((entry) => {
    if (entry.length > longest) longest = entry.length
    if (field === null) {
      field = entry.toString('latin1')
      return
    }
    if (!fields.set(field, entry)) throw new RdbError('Duplicate hash fields detected')
    field = null
  })
  if (field !== null) throw new RdbError('Hash listpack integrity check failed')
  if (fields.size === 0) return null
  const hash = new RedisHash(fields)
  if (fields.size > limits.hashEntries || longest > limits.hashValue) hash.convertToHashtable()
  return hash
}

/** A sorted set: a listpack when small enough (which also reads -0 back as 0), else a skip list. */
function zsetOf(limits: EncodingLimits, pairs: Array<[Buffer, number]>): SortedSet | null {
  if (pairs.length === 0) return null
  const zset = new SortedSet('skiplist')
  let longest = 0
  for (const [member, score] of pairs) {
    if (member.length > longest) longest = member.length
    if (!zset.set(member.toString('latin1'), score)) throw new RdbError('Duplicate zset fields detected')
  }
  if (zset.length <= limits.zsetEntries && longest <= limits.zsetValue) zset.toListpack()
  return zset
}

/** zzlGetScore: a listpack score is its decimal text (or an integer entry), "inf" and "-inf" included. */
function scoreFromText(text: Buffer): number {
  const s = text.toString('latin1').trim().toLowerCase()
  if (s === 'inf' || s === '+inf' || s === 'infinity' || s === '+infinity') return Number.POSITIVE_INFINITY
  if (s === '-inf' || s === '-infinity') return Number.NEGATIVE_INFINITY
  const value = Number(s)
  if (s === '' || Number.isNaN(value)) throw new RdbError('Zset listpack integrity check failed')
  return value
}
