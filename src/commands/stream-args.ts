/**
 * Stream IDs as Redis 7.0 reads and writes them (t_stream.c): `<ms>-<seq>`, `<ms>` alone (the sequence filled in by
 * the caller), `-` and `+`, `(` for an exclusive interval bound, and XADD's `<ms>-*`. Each half is read by
 * string2ull: a canonical 64-bit integer, else C's strtoull (leading spaces, a sign, wrap-around of negatives), never
 * a negative canonical integer. Also the typed key access and the reply shapes every stream command shares.
 */
import type { Database } from '../keyspace/database.ts'
import {
  formatStreamId,
  MAX_STREAM_ID,
  RedisStream,
  type StreamId,
  streamId,
  UINT64_MAX,
} from '../keyspace/types/stream.ts'
import { Errors, MapReply, type Reply, ReplyError } from '../protocol/reply.ts'
import { parseInt64 } from './args.ts'
import { cText } from './c-options.ts'
import type { CommandContext } from './types.ts'
import { usesResp3 } from './zset-common.ts'

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument'

const DIGITS = /^\d+$/

/** string2ull of a C string: null when Redis would refuse it. */
function string2ull(text: string): bigint | null {
  // Plain digits: the canonical reading and strtoull's agree (leading zeros included), whatever the length.
  if (DIGITS.test(text)) {
    const value = BigInt(text)
    return value > UINT64_MAX ? null : value
  }
  const canonical = parseInt64(Buffer.from(text, 'latin1'))
  if (canonical !== null) return canonical < 0n ? null : canonical
  // strtoull: optional leading white space and sign, then at least one decimal digit, up to the end.
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text)
  if (!m) return null
  const value = BigInt(m[2])
  if (value > UINT64_MAX) return null
  return m[1] === '-' ? (UINT64_MAX + 1n - value) & UINT64_MAX : value
}

export interface ParsedId {
  id: StreamId
  /** False for XADD's `<ms>-*` (the sequence is to be generated). */
  seqGiven: boolean
}

/**
 * streamGenericParseIDOrReply. `strict` refuses `-` and `+`; `allowAutoSeq` accepts `<ms>-*` (XADD). Throws Redis's
 * error for anything else.
 */
export function parseStreamId(arg: Buffer, missingSeq: bigint, strict: boolean, allowAutoSeq = false): ParsedId {
  if (arg.length > 127) throw new ReplyError(INVALID_ID)
  const text = cText(arg)
  if (text === '-' || text === '+') {
    if (strict) throw new ReplyError(INVALID_ID)
    return { id: text === '-' ? 0n : MAX_STREAM_ID, seqGiven: true }
  }
  const dash = text.indexOf('-')
  const ms = string2ull(dash === -1 ? text : text.slice(0, dash))
  if (ms === null) throw new ReplyError(INVALID_ID)
  if (dash === -1) return { id: streamId(ms, missingSeq), seqGiven: true }
  const seqText = text.slice(dash + 1)
  if (allowAutoSeq && seqText === '*') return { id: streamId(ms, 0n), seqGiven: false }
  const seq = string2ull(seqText)
  if (seq === null) throw new ReplyError(INVALID_ID)
  return { id: streamId(ms, seq), seqGiven: true }
}

export function strictId(arg: Buffer, missingSeq = 0n): StreamId {
  return parseStreamId(arg, missingSeq, true).id
}

/** streamParseIntervalIDOrReply: `(id` is exclusive (and then strict). */
export function intervalId(arg: Buffer, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  if (arg.length > 1 && arg[0] === 0x28) {
    return { id: parseStreamId(arg.subarray(1), missingSeq, true).id, exclusive: true }
  }
  return { id: parseStreamId(arg, missingSeq, false).id, exclusive: false }
}

/** The stream at `key` for reading, undefined when absent; WRONGTYPE for another type. */
export function readStream(db: Database, key: string): RedisStream | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisStream)) throw Errors.wrongType()
  return value
}

/** The stream at `key` for writing, undefined when absent; WRONGTYPE for another type. */
export function writableStream(db: Database, key: string): RedisStream | undefined {
  const value = db.getForWrite(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisStream)) throw Errors.wrongType()
  return value
}

export function idReply(id: StreamId): Buffer {
  return Buffer.from(formatStreamId(id), 'latin1')
}

/** One entry: [id, [field, value, ...]]. */
export function entryReply(id: StreamId, fields: string[]): Reply[] {
  const out: Reply[] = new Array(fields.length)
  for (let i = 0; i < fields.length; i++) out[i] = Buffer.from(fields[i], 'latin1')
  return [idReply(id), out]
}

/** XREAD's reply: RESP2 an array of [key, entries] pairs, RESP3 a map from key to entries. */
export function keyedReply(ctx: CommandContext, items: Array<[Buffer, Reply]>): Reply {
  if (usesResp3(ctx)) return new MapReply(items)
  return items.map(([k, v]) => [k, v])
}

/** A 64-bit integer argument (getLongLongFromObjectOrReply). */
export function longLongArg(arg: Buffer, message?: string): bigint {
  const n = parseInt64(arg)
  if (n === null) throw message ? new ReplyError(`ERR ${message}`) : Errors.notInteger()
  return n
}
