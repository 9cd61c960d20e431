/**
 * Streams in the RDB codec on their own: a stream survives DUMP/RESTORE and SAVE/reload with every entry, tombstone,
 * node boundary, counter, group, pending entry and consumer (XINFO STREAM FULL, MEMORY USAGE and later trimming read
 * the same); a Redis 5-6.2 payload (STREAM_LISTPACKS) loads with the counters Redis derives; the listpack writer's
 * encodings read back; and damaged payloads are refused with an RdbError, never a crash.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readListpack } from '../../src/persistence/compact-encodings.ts'
import { crc64 } from '../../src/persistence/crc64.ts'
import { createDumpPayload, readDumpPayload } from '../../src/persistence/dump-payload.ts'
import { canonicalInt64, ListpackWriter } from '../../src/persistence/listpack-writer.ts'
import { RdbDecoder } from '../../src/persistence/rdb-decoder.ts'
import { RdbEncoder } from '../../src/persistence/rdb-encoder.ts'
import { RdbError, RdbType } from '../../src/persistence/rdb-format.ts'
import { readValue } from '../../src/persistence/rdb-values.ts'
import { type RedisStream, streamIdKey } from '../../src/keyspace/types/stream.ts'
import { respText, type TestEngine, testEngine } from '../helpers.ts'

const LIMITS = { hashEntries: 128, hashValue: 64, setIntsetEntries: 512, zsetEntries: 128, zsetValue: 64 }

async function run(t: TestEngine, ...args: Array<string | Buffer>): Promise<string> {
  const reply = await t.resp(...args)
  if (reply.startsWith('-')) throw new Error(`${args.join(' ')}: ${reply}`)
  return reply
}

/** A stream with several nodes, varied fields, tombstones, a trimmed head and groups in every state. */
async function richStream(t: TestEngine, key = 's'): Promise<void> {
  await run(t, 'CONFIG', 'SET', 'stream-node-max-entries', '5')
  for (let i = 1; i <= 23; i++) {
    t.clock.advance(7)
    const fields =
      i % 4 === 0
        ? Array.from({ length: 12 }, (_, f) => [`wide${f}`, f % 2 ? String(f * -99999) : 'w'.repeat(f * 50)]).flat()
        : ['f', `v${i}`, 'n', String(i)]
    await run(t, 'XADD', key, `${100 + i}-${(i * 7) % 5}`, ...fields)
  }
  await run(t, 'XADD', key, '124-0', Buffer.from([0, 255, 13, 10]), Buffer.from([200, 0, 1]))
  await run(t, 'XDEL', key, '106-2', '111-2', '124-0')
  await run(t, 'XTRIM', key, 'MAXLEN', '19')
  await run(t, 'XGROUP', 'CREATE', key, 'readers', '0')
  await run(t, 'XGROUP', 'CREATE', key, 'idle-group', '$')
  t.clock.advance(1000)
  await run(t, 'XREADGROUP', 'GROUP', 'readers', 'alice', 'COUNT', '4', 'STREAMS', key, '>')
  t.clock.advance(1000)
  await run(t, 'XREADGROUP', 'GROUP', 'readers', 'bob', 'COUNT', '3', 'STREAMS', key, '>')
  await run(t, 'XACK', key, 'readers', '109-4')
  await run(t, 'XCLAIM', key, 'readers', 'bob', '0', '108-1', 'RETRYCOUNT', '9')
  await run(t, 'XGROUP', 'CREATECONSUMER', key, 'readers', 'nobody')
  await run(t, 'XDEL', key, '120-0')
  await run(t, 'XGROUP', 'CREATE', key, 'unknown-read', '115-0')
}

/**
 * What must read the same after a transfer. (Not MEMORY USAGE: a loaded listpack is allocated at its size where
 * XADD preallocates, and redsim keeps no values for deleted entries, so it changes across a reload, as in Redis.)
 */
async function state(t: TestEngine, key: string): Promise<string[]> {
  return [
    await t.resp('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'),
    await t.resp('XINFO', 'GROUPS', key),
    await t.resp('XRANGE', key, '-', '+'),
  ]
}

async function dumpRestore(from: TestEngine, key: string, to: TestEngine, as = key): Promise<void> {
  const payload = await from.conn.call('DUMP', key)
  if (!Buffer.isBuffer(payload)) throw new Error('DUMP did not answer a bulk string')
  expect(await to.resp('RESTORE', as, '0', payload)).toBe('+OK\r\n')
}

describe('streams in DUMP payloads and RDB files', () => {
  it('round-trip entries, tombstones, node boundaries, counters, groups, PELs and consumers', async () => {
    const source = testEngine()
    source.clock.set(1_700_000_000_000)
    await richStream(source)
    const target = testEngine()
    target.clock.set(1_700_000_000_000)
    await dumpRestore(source, 's', target)
    const before = await state(source, 's')
    expect(before[0]).toContain('recorded-first-entry-id')
    expect(await state(target, 's')).toEqual(before)
    // Approximate trimming removes whole nodes: the same ones only if the node boundaries came through.
    for (const t of [source, target]) await run(t, 'CONFIG', 'SET', 'stream-node-max-entries', '100')
    const trims = await Promise.all([source, target].map((t) => t.resp('XTRIM', 's', 'MAXLEN', '~', '8')))
    expect(trims[1]).toBe(trims[0])
    expect(trims[0]).not.toBe(':0\r\n')
    target.clock.set(source.clock.now())
    const added = await Promise.all([source, target].map((t) => t.resp('XADD', 's', '*', 'k', 'v')))
    expect(added[1]).toBe(added[0])
    expect(await state(target, 's')).toEqual(await state(source, 's'))
  })

  it('keep an emptied stream with its last ID, counters and groups', async () => {
    const source = testEngine()
    await run(source, 'XADD', 'deleted', '3-3', 'a', '1')
    await run(source, 'XGROUP', 'CREATE', 'deleted', 'g', '0')
    await run(source, 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'deleted', '>')
    await run(source, 'XDEL', 'deleted', '3-3')
    await run(source, 'XADD', 'trimmed', '9-9', 'a', '1')
    await run(source, 'XTRIM', 'trimmed', 'MAXLEN', '0')
    const target = testEngine()
    for (const key of ['deleted', 'trimmed']) {
      await dumpRestore(source, key, target)
      expect(await target.resp('XLEN', key)).toBe(':0\r\n')
      expect(await state(target, key)).toEqual(await state(source, key))
    }
    expect(await target.resp('XADD', 'trimmed', '9-9', 'a', '1')).toBe(
      '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n',
    )
    expect(await target.resp('XINFO', 'STREAM', 'deleted')).toContain('$13\r\nentries-added\r\n:1\r\n')
  })

  it('carry IDs whose deltas from a node master wrap, up to the largest ID', async () => {
    const source = testEngine()
    for (const id of ['1-5', '2-0', '2-18446744073709551615', '3-0', '18446744073709551615-18446744073709551614']) {
      await run(source, 'XADD', 'w', id, 'a', id)
    }
    const target = testEngine()
    await dumpRestore(source, 'w', target)
    expect(await state(target, 'w')).toEqual(await state(source, 'w'))
    expect(await target.resp('XADD', 'w', '*', 'a', 'b')).toBe('$41\r\n18446744073709551615-18446744073709551615\r\n')
  })

  it('survive SAVE and a restart from the snapshot', async () => {
    const source = testEngine()
    source.clock.set(1_700_000_000_000)
    await richStream(source)
    await richStream(source, 'other')
    expect(await source.resp('SAVE')).toBe('+OK\r\n')
    const restarted = testEngine({ rdb: source.engine.snapshots.store.read() as Buffer })
    for (const key of ['s', 'other']) expect(await state(restarted, key)).toEqual(await state(source, key))
  })

  it('RESTORE of a stream serves a client blocked on the key, as dbAdd signals it ready in Redis', async () => {
    const source = testEngine()
    await run(source, 'XADD', 'k', '1-1', 'a', 'b')
    const payload = (await source.conn.call('DUMP', 'k')) as Buffer
    const t = testEngine()
    // $ on a missing key waits for anything after 0-0.
    const blocked = t.connect().call('XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$')
    expect(await t.resp('RESTORE', 'k', '0', payload)).toBe('+OK\r\n')
    expect(respText(await blocked)).toBe('*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n')
  })

  it('write what they read back in the same bytes (a DUMP of a restored stream is the original DUMP)', async () => {
    const source = testEngine()
    source.clock.set(1_700_000_000_000)
    await richStream(source)
    const payload = (await source.conn.call('DUMP', 's')) as Buffer
    const value = readDumpPayload(payload, LIMITS) as RedisStream
    expect(createDumpPayload(value, true).equals(payload)).toBe(true)
  })
})

interface LegacyShape {
  /** The stream length written after the listpack (2 is right). */
  length?: number
  /** The last ID's milliseconds (7 is right: the last entry is 7-0). */
  lastMs?: number
  /** Sequence numbers (of ms 5) in the group's PEL, in file order ([2]: 5-2). */
  groupPel?: bigint[]
  /** Sequence numbers (of ms 5) the consumer's PEL names ([2]: 5-2). */
  owned?: bigint[]
  /** The third entry's millisecond delta from the master 5-1 (2 is right; 0 puts it before the second). */
  thirdMsDelta?: number
}

/**
 * A Redis 5-6.2 stream value (STREAM_LISTPACKS), laid out by hand as t_stream.c and rdb.c describe it: one listpack
 * with master 5-1 and fields [x]: 5-1 deleted, 5-2 live, then 7-0 with its own fields y and z; one group with 5-2
 * pending for consumer c. `shape` breaks one thing at a time.
 */
function legacyStreamBody(shape: LegacyShape = {}): Buffer {
  const out = new RdbEncoder(false)
  out.u8(RdbType.STREAM_LISTPACKS)
  out.length(1)
  out.string(streamIdKey((5n << 64n) | 1n))
  const lp = new ListpackWriter()
  const put = (...elements: Array<number | string>) => {
    for (const e of elements) typeof e === 'number' ? lp.integer(e) : lp.string(e)
  }
  put(2, 1, 1, 'x', 0) // master entry: 2 live, 1 deleted, fields [x], terminator
  put(3, 0, 0, 'gone', 4) // deleted | same fields, 5-1
  put(2, 0, 1, 'kept', 4) // same fields, 5-2
  put(0, shape.thirdMsDelta ?? 2, -1, 2, 'y', '1', 'z', '2', 8) // own fields, 7-0
  out.string(lp.finish())
  out.length(shape.length ?? 2)
  out.length(shape.lastMs ?? 7)
  out.length(0)
  out.length(1) // groups
  out.latin1('g')
  out.length(5) // last delivered 5-2
  out.length(2)
  const groupPel = shape.groupPel ?? [2n]
  out.length(groupPel.length) // the group's PEL
  for (const seq of groupPel) {
    out.bytes(streamIdKey((5n << 64n) | seq))
    out.i64le(1_600_000_000_000)
    out.length(3)
  }
  out.length(1) // consumers
  out.latin1('c')
  out.i64le(1_600_000_000_500)
  const owned = shape.owned ?? [2n]
  out.length(owned.length)
  for (const seq of owned) out.bytes(streamIdKey((5n << 64n) | seq))
  return out.take()
}

/** A DUMP payload around a value body: RDB version 10, then the CRC-64. */
function asDump(body: Buffer): Buffer {
  const withVersion = Buffer.concat([body, Buffer.from([10, 0])])
  const crc = Buffer.alloc(8)
  crc.writeBigUInt64LE(crc64(withVersion))
  return Buffer.concat([withVersion, crc])
}

function readBody(body: Buffer): unknown {
  const input = new RdbDecoder(body)
  const value = readValue(input, input.u8(), LIMITS)
  if (input.remaining !== 0) throw new RdbError('trailing bytes')
  return value
}

describe('Redis 5-6.2 stream payloads (STREAM_LISTPACKS)', () => {
  it('load with first ID, entries added and the groups entries-read derived as Redis 7.0 derives them', async () => {
    const t = testEngine()
    expect(await t.resp('RESTORE', 'legacy', '0', asDump(legacyStreamBody()))).toBe('+OK\r\n')
    const full = await t.resp('XINFO', 'STREAM', 'legacy', 'FULL')
    expect(full).toContain('$6\r\nlength\r\n:2\r\n')
    expect(full).toContain('$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n')
    expect(full).toContain('$13\r\nentries-added\r\n:2\r\n')
    expect(full).toContain('$23\r\nrecorded-first-entry-id\r\n$3\r\n5-2\r\n')
    expect(await t.resp('XRANGE', 'legacy', '-', '+')).toBe(
      '*2\r\n*2\r\n$3\r\n5-2\r\n*2\r\n$1\r\nx\r\n$4\r\nkept\r\n*2\r\n$3\r\n7-0\r\n*4\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n2\r\n',
    )
    // 5-2 is the first entry: one entry read (entries added - length + 1), lag 1.
    const groups = await t.resp('XINFO', 'GROUPS', 'legacy')
    expect(groups).toContain('$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n')
    expect(await t.resp('XPENDING', 'legacy', 'g', '-', '+', '10')).toBe(
      '*1\r\n*4\r\n$3\r\n5-2\r\n$1\r\nc\r\n:' + `${t.clock.now() - 1_600_000_000_000}\r\n:3\r\n`,
    )
  })
})

describe('damaged stream payloads', () => {
  it('every truncation is refused with an RdbError', async () => {
    const source = testEngine()
    await richStream(source)
    const payload = (await source.conn.call('DUMP', 's')) as Buffer
    const body = payload.subarray(0, payload.length - 10)
    for (let n = 1; n < body.length; n++) {
      expect(() => readBody(body.subarray(0, n)), `first ${n} bytes`).toThrow(RdbError)
    }
  })

  it('flipped bytes load or are refused with an RdbError, never anything else (seeded)', async () => {
    const body = legacyStreamBody()
    fc.assert(
      fc.property(fc.integer({ min: 1, max: body.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const damaged = Buffer.from(body)
        damaged[at] = byte
        try {
          readBody(damaged)
        } catch (err) {
          expect(err).toBeInstanceOf(RdbError)
        }
      }),
      { seed: 20261208, numRuns: 3000 },
    )
  })

  it('inconsistencies redsim relies on are refused', () => {
    expect(readBody(legacyStreamBody())).toBeTruthy()
    expect(() => readBody(legacyStreamBody({ length: 3 }))).toThrow(/length inconsistent/)
    expect(() => readBody(legacyStreamBody({ lastMs: 6 }))).toThrow(/past the last ID/)
    expect(() => readBody(legacyStreamBody({ thirdMsDelta: 0 }))).toThrow(/not in order/)
    expect(() => readBody(legacyStreamBody({ owned: [9n] }))).toThrow(/not found in group global PEL/)
    expect(() => readBody(legacyStreamBody({ owned: [2n, 2n] }))).toThrow(/Duplicated consumer PEL entry/)
    expect(() => readBody(legacyStreamBody({ groupPel: [2n, 2n] }))).toThrow(/Duplicated global PEL entry/)
    expect(() => readBody(legacyStreamBody({ groupPel: [2n, 1n] }))).toThrow(/PEL entry without consumer/)
  })

  it('a group PEL out of order (Redis writes it ascending) still loads, in ID order', async () => {
    const t = testEngine()
    const body = legacyStreamBody({ groupPel: [2n, 1n], owned: [2n, 1n] })
    expect(await t.resp('RESTORE', 'k', '0', asDump(body))).toBe('+OK\r\n')
    expect(await t.resp('XPENDING', 'k', 'g')).toBe(
      '*4\r\n:2\r\n$3\r\n5-1\r\n$3\r\n5-2\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n',
    )
  })

  it('RESTORE answers Bad data format for a damaged stream and stores nothing', async () => {
    const t = testEngine()
    expect(await t.resp('RESTORE', 'k', '0', asDump(legacyStreamBody({ length: 3 })))).toBe('-ERR Bad data format\r\n')
    expect(await t.resp('EXISTS', 'k')).toBe(':0\r\n')
  })
})

describe('the listpack writer', () => {
  it('picks the smallest integer encoding at each boundary and reads back', () => {
    const values = [0n, 127n, 128n, -1n, -4096n, 4095n, 4096n, -4097n, 32767n, -32768n, 32768n, 8388607n, -8388608n]
    values.push(8388608n, 2147483647n, -2147483648n, 2147483648n, (1n << 63n) - 1n, -(1n << 63n))
    const sizes = [1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 9, 9, 9]
    for (let i = 0; i < values.length; i++) {
      const lp = new ListpackWriter()
      lp.integer(values[i])
      const blob = lp.finish()
      // header 6, entry, back-length 1, terminator 1
      expect(blob.length - 8, String(values[i])).toBe(sizes[i])
      const read: string[] = []
      readListpack(blob, (e) => read.push(e.toString()))
      expect(read).toEqual([String(values[i])])
    }
  })

  it('stores canonical integer text as integers and other strings as strings, long ones included', () => {
    const texts = ['12', '-7', '007', '-0', '+1', '', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(5000)]
    texts.push('9223372036854775808', '-9223372036854775808', 'é\u00ff')
    const lp = new ListpackWriter()
    for (const text of texts) lp.string(text)
    const blob = lp.finish()
    const read: string[] = []
    expect(readListpack(blob, (e) => read.push(e.toString('latin1')))).toBe(texts.length)
    expect(read).toEqual(texts)
    expect(canonicalInt64('12')).toBe(12n)
    expect(canonicalInt64('-9223372036854775808')).toBe(-(1n << 63n))
    for (const text of ['007', '-0', '+1', '', '9223372036854775808', '1.0', ' 1']) {
      expect(canonicalInt64(text), text).toBeNull()
    }
  })
})
