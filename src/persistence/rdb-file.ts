/**
 * A whole RDB file (Redis 7.0, version 10): "REDIS0010", aux fields, each non-empty database as SELECTDB, RESIZEDB
 * and its keys (expiry in ms, LRU idle time or LFU counter, type, key, value), EOF, and the CRC-64 of everything
 * before it (zeros when rdbchecksum is off, which Redis reads as "not checked").
 *
 * Pure: it turns a keyspace into bytes and bytes into a description of keys; files are read and written at the edge
 * (src/persistence/snapshot-store.ts), and loading into a live keyspace is src/persistence/snapshot-load.ts.
 */
import { LRU_CLOCK_MAX } from '../keyspace/access-clock.ts'
import type { Keyspace } from '../keyspace/keyspace.ts'
import type { RedisValue } from '../keyspace/values.ts'
import { crc64Bytes, crc64Init, crc64Update } from './crc64.ts'
import { RdbDecoder } from './rdb-decoder.ts'
import { RdbEncoder } from './rdb-encoder.ts'
import { RDB_VERSION, RdbError, RdbOpcode } from './rdb-format.ts'
import { type EncodingLimits, isValueType, readValue, valueType, writeValuePayload } from './rdb-values.ts'

/** The redis_version a file says it was written by: redsim answers as Redis 7.0.15 (INFO's redis_version). */
const WRITER_VERSION = '7.0.15'

export interface SnapshotOptions {
  /** rdbcompression */
  compress: boolean
  /** rdbchecksum: when off the footer is eight zero bytes. */
  checksum: boolean
  /** The engine clock in ms: the ctime aux field. */
  now: number
  /** used_memory at the time of the save: the used-mem aux field. */
  usedMemory: number
  /** The eviction policy is an LRU one: each key's idle time is saved (an LFU policy saves counters instead). */
  saveLruIdle: boolean
  /** The code of each function library (FUNCTION LOAD's argument), saved before the databases as Redis does. */
  functions?: readonly Buffer[]
}

/** Serializes every database of `keyspace` into RDB file chunks (their concatenation is the file). */
export function encodeSnapshot(keyspace: Keyspace, options: SnapshotOptions): Buffer[] {
  const out = new RdbEncoder(options.compress)
  const chunks: Buffer[] = []
  const crc = crc64Init()
  const flush = (): void => {
    const chunk = out.take()
    crc64Update(crc, chunk)
    chunks.push(chunk)
  }
  out.bytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'))
  aux(out, 'redis-ver', WRITER_VERSION)
  aux(out, 'redis-bits', '64')
  aux(out, 'ctime', String(Math.floor(options.now / 1000)))
  aux(out, 'used-mem', String(options.usedMemory))
  aux(out, 'aof-base', '0')
  for (const code of options.functions ?? []) {
    out.u8(RdbOpcode.FUNCTION2)
    out.string(code)
  }
  const access = keyspace.access
  const lfu = access.lfu
  // Redis saves LRU idle times only under an LRU policy and LFU counters only under an LFU one (rdbSaveKeyValuePair).
  const lru = !lfu && options.saveLruIdle
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue
    out.u8(RdbOpcode.SELECTDB)
    out.length(db.index)
    out.u8(RdbOpcode.RESIZEDB)
    out.length(db.size)
    out.length(db.expires.size)
    const expires = db.expires
    const table = db.table
    table.forEach((key, value) => {
      const at = expires.size > 0 ? expires.get(key) : undefined
      if (at !== undefined) {
        out.u8(RdbOpcode.EXPIRETIME_MS)
        out.i64le(at)
      }
      if (lru || lfu) {
        const stamp = table.stampOf(key) ?? 0
        if (lfu) {
          out.u8(RdbOpcode.FREQ)
          out.u8(access.frequency(stamp))
        } else {
          out.u8(RdbOpcode.IDLE)
          out.length(Math.floor(access.idleMs(stamp) / 1000))
        }
      }
      writeKeyValue(out, key, value)
      if (out.size >= 1 << 20) flush()
    })
  }
  out.u8(RdbOpcode.EOF)
  flush()
  chunks.push(options.checksum ? crc64Bytes(crc) : Buffer.alloc(8))
  return chunks
}

function aux(out: RdbEncoder, name: string, value: string): void {
  out.u8(RdbOpcode.AUX)
  out.latin1(name)
  out.latin1(value)
}

function writeKeyValue(out: RdbEncoder, key: string, value: RedisValue): void {
  out.u8(valueType(value))
  out.latin1(key)
  writeValuePayload(out, value)
}

/** One key as a file holds it. `idle` (seconds) and `freq` are present when the file recorded them. */
export interface SnapshotKey {
  key: string
  value: RedisValue
  expireAt?: number
  idle?: number
  freq?: number
}

export interface Snapshot {
  version: number
  aux: Map<string, string>
  dbs: Map<number, SnapshotKey[]>
  /** Function libraries (RDB_OPCODE_FUNCTION2 payloads: the library code). */
  functions: Buffer[]
  /** Keys the file held with an empty aggregate, which Redis skips with a warning. */
  emptyKeysSkipped: number
}

export interface DecodeOptions {
  limits: EncodingLimits
  /** rdbchecksum: verify the footer (a zero footer is never verified, as in Redis). */
  verifyChecksum: boolean
  /** databases: a SELECTDB beyond it is refused. */
  databases: number
}

/** Parses a whole RDB file (versions 1 to 10), throwing RdbError with Redis's reason when it is unreadable. */
export function decodeSnapshot(file: Buffer, options: DecodeOptions): Snapshot {
  if (file.length < 9) throw new RdbError('Unexpected EOF reading RDB file', 'eof')
  if (file.toString('latin1', 0, 5) !== 'REDIS') {
    throw new RdbError('Wrong signature trying to load DB from file')
  }
  const versionText = file.toString('latin1', 5, 9)
  const version = /^\d{4}$/.test(versionText) ? Number(versionText) : 0
  if (version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${version}`)
  const input = new RdbDecoder(file, 9)
  const snapshot: Snapshot = { version, aux: new Map(), dbs: new Map(), functions: [], emptyKeysSkipped: 0 }
  let keys: SnapshotKey[] = []
  snapshot.dbs.set(0, keys)
  let expireAt: number | undefined
  let idle: number | undefined
  let freq: number | undefined
  for (;;) {
    const type = input.u8()
    if (type === RdbOpcode.EOF) break
    switch (type) {
      case RdbOpcode.EXPIRETIME:
        expireAt = input.i32le() * 1000
        continue
      case RdbOpcode.EXPIRETIME_MS:
        expireAt = input.i64le()
        continue
      case RdbOpcode.FREQ:
        freq = input.u8()
        continue
      case RdbOpcode.IDLE:
        idle = input.length()
        continue
      case RdbOpcode.SELECTDB: {
        const index = input.length()
        if (index >= options.databases) {
          throw new RdbError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${options.databases} databases. Exiting`,
          )
        }
        keys = snapshot.dbs.get(index) ?? []
        snapshot.dbs.set(index, keys)
        continue
      }
      case RdbOpcode.RESIZEDB:
        input.length()
        input.length()
        continue
      case RdbOpcode.AUX: {
        const name = input.string().toString('latin1')
        snapshot.aux.set(name, input.string().toString('latin1'))
        continue
      }
      case RdbOpcode.FUNCTION2:
        snapshot.functions.push(input.string())
        continue
      case RdbOpcode.FUNCTION:
        throw new RdbError('Pre-release function format not supported', 'unsupported')
      case RdbOpcode.MODULE_AUX:
        throw new RdbError('redsim has no modules: module auxiliary data cannot be loaded', 'unsupported')
    }
    if (!isValueType(type)) throw new RdbError(`Unknown RDB encoding type ${type}`)
    const key = input.latin1()
    const value = readValue(input, type, options.limits)
    if (value === null) snapshot.emptyKeysSkipped++
    else keys.push({ key, value, expireAt, idle, freq })
    expireAt = undefined
    idle = undefined
    freq = undefined
  }
  const bodyEnd = input.pos
  // RDB 5 added the checksum after EOF.
  if (version >= 5) {
    const stored = input.bytes(8)
    if (options.verifyChecksum && !stored.equals(Buffer.alloc(8))) {
      const computed = crc64Bytes(crc64Update(crc64Init(), file.subarray(0, bodyEnd)))
      if (!computed.equals(stored)) {
        throw new RdbError(`Wrong RDB checksum expected: (${hex64(stored)}) got (${hex64(computed)}). Aborting now.`)
      }
    }
  }
  return snapshot
}

function hex64(littleEndian: Buffer): string {
  return littleEndian.readBigUInt64LE(0).toString(16)
}

/** The LRU stamp of a key last accessed `idleSeconds` before the LRU clock `lruClock` (objectSetLRUOrLFU). */
export function stampFromIdle(lruClock: number, idleSeconds: number): number {
  return (((lruClock - idleSeconds) % (LRU_CLOCK_MAX + 1)) + LRU_CLOCK_MAX + 1) % (LRU_CLOCK_MAX + 1)
}
