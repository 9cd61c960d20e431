/**
 * A whole RDB file (Redis 7.0, version 10): "REDIS0010", aux fields, each non-empty database as SELECTDB, RESIZEDB
 * and its keys (expiry in ms, LRU idle time or LFU counter, type, key, value), EOF, and the CRC-64 of everything
 * before it (zeros when rdbchecksum is off, which Redis reads as "not checked").
 *
 * Pure: it turns a keyspace into bytes and bytes into a description of keys; files are read and written at the edge
 * (src/persistence/file-store.ts), and loading into a live keyspace is Snapshots.load (src/persistence/snapshots.ts).
 */
import { LRU_CLOCK_MAX } from '../keyspace/access-clock.ts'
import type { Keyspace } from '../keyspace/keyspace.ts'
import { isStringValue, type RedisValue } from '../keyspace/values.ts'
import { crc64Bytes, crc64Init, crc64Update } from './crc64.ts'
import { RdbDecoder } from './rdb-decoder.ts'
import { RdbEncoder } from './rdb-encoder.ts'
import { RDB_VERSION, RdbError, RdbOpcode, RdbType } from './rdb-format.ts'
import { type EncodingLimits, isValueType, readValue, writeValue } from './rdb-values.ts'

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
  /** Set by the capture: the stamps saved are LFU counters. */
  lfu?: boolean
}

/**
 * The keyspace at one point in time, cheap to take under a lease and serialized afterwards, while the keyspace goes
 * on changing. Keys are immutable strings and stored strings immutable Buffers (src/commands/string-growth.ts: bytes a
 * Buffer covers are never overwritten), so for them a reference is the snapshot; aggregates change in place, so they
 * are serialized at capture time. Expiry times and access stamps are copied.
 */
export interface SnapshotCapture {
  readonly options: SnapshotOptions
  readonly functions: readonly Buffer[]
  readonly dbs: CapturedDb[]
}

interface CapturedDb {
  index: number
  expiresCount: number
  keys: string[]
  /** The string value itself, or an aggregate's serialized payload (type byte first). */
  values: Buffer[]
  /** Whether `values[i]` is an aggregate's serialized payload. */
  serialized: Uint8Array
  /** Absolute expiry in ms, NaN for none. */
  expireAt: Float64Array
  /** LRU idle seconds or LFU counter, -1 when not saved. */
  access: Float64Array
}

/** Takes the snapshot of every database (call under a lease): O(keys), serializing only the aggregates. */
export function captureSnapshot(keyspace: Keyspace, options: SnapshotOptions): SnapshotCapture {
  const accessClock = keyspace.access
  const lfu = accessClock.lfu
  // Redis saves LRU idle times only under an LRU policy and LFU counters only under an LFU one (rdbSaveKeyValuePair).
  const lru = !lfu && options.saveLruIdle
  const dbs: CapturedDb[] = []
  const scratch = new RdbEncoder(options.compress, 4096)
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue
    const size = db.size
    const captured: CapturedDb = {
      index: db.index,
      expiresCount: db.expires.size,
      keys: new Array(size),
      values: new Array(size),
      serialized: new Uint8Array(size),
      expireAt: new Float64Array(size),
      access: new Float64Array(size),
    }
    const expires = db.expires
    const table = db.table
    let i = 0
    table.forEach((key, value) => {
      captured.keys[i] = key
      if (isStringValue(value)) {
        captured.values[i] = value
      } else {
        writeValue(scratch, value)
        captured.values[i] = scratch.take()
        captured.serialized[i] = 1
      }
      const at = expires.size > 0 ? expires.get(key) : undefined
      captured.expireAt[i] = at === undefined ? Number.NaN : at
      if (lru || lfu) {
        const stamp = table.stampOf(key) ?? 0
        captured.access[i] = lfu ? accessClock.frequency(stamp) : Math.floor(accessClock.idleMs(stamp) / 1000)
      } else {
        captured.access[i] = -1
      }
      i++
    })
    dbs.push(captured)
  }
  return { options: { ...options, saveLruIdle: lru, lfu }, functions: options.functions ?? [], dbs }
}

/** The RDB file of a capture, about 1 MB a chunk; the last chunk is the CRC-64 footer. Touches only the capture. */
export function* serializeCapture(capture: SnapshotCapture): Generator<Buffer, void, undefined> {
  const { options } = capture
  const out = new RdbEncoder(options.compress)
  const crc = crc64Init()
  const take = (): Buffer => {
    const chunk = out.take()
    crc64Update(crc, chunk)
    return chunk
  }
  out.bytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'))
  aux(out, 'redis-ver', WRITER_VERSION)
  aux(out, 'redis-bits', '64')
  aux(out, 'ctime', String(Math.floor(options.now / 1000)))
  aux(out, 'used-mem', String(options.usedMemory))
  aux(out, 'aof-base', '0')
  for (const code of capture.functions) {
    out.u8(RdbOpcode.FUNCTION2)
    out.string(code)
  }
  for (const db of capture.dbs) {
    out.u8(RdbOpcode.SELECTDB)
    out.length(db.index)
    out.u8(RdbOpcode.RESIZEDB)
    out.length(db.keys.length)
    out.length(db.expiresCount)
    for (let i = 0; i < db.keys.length; i++) {
      const at = db.expireAt[i]
      if (!Number.isNaN(at)) {
        out.u8(RdbOpcode.EXPIRETIME_MS)
        out.i64le(at)
      }
      const access = db.access[i]
      if (access >= 0) {
        if (options.lfu) {
          out.u8(RdbOpcode.FREQ)
          out.u8(access)
        } else {
          out.u8(RdbOpcode.IDLE)
          out.length(access)
        }
      }
      const value = db.values[i]
      if (db.serialized[i] === 1) {
        out.u8(value[0])
        out.latin1(db.keys[i])
        out.bytes(value.subarray(1))
      } else {
        out.u8(RdbType.STRING)
        out.latin1(db.keys[i])
        out.string(value)
      }
      if (out.size >= 1 << 20) yield take()
    }
  }
  out.u8(RdbOpcode.EOF)
  yield take()
  yield options.checksum ? crc64Bytes(crc) : Buffer.alloc(8)
}

/** Serializes every database of `keyspace` into RDB file chunks at once (their concatenation is the file). */
export function encodeSnapshot(keyspace: Keyspace, options: SnapshotOptions): Buffer[] {
  return [...serializeCapture(captureSnapshot(keyspace, options))]
}

function aux(out: RdbEncoder, name: string, value: string): void {
  out.u8(RdbOpcode.AUX)
  out.latin1(name)
  out.latin1(value)
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
