/**
 * The RDB codec on its own: every type and encoding redsim keeps survives a save and a load with its contents, TTL
 * and encoding; the compact encodings only Redis writes (listpack, ziplist, intset, zipmap) are read from hand-built
 * blobs laid out as Redis's sources describe them; and damaged files are refused with an error, never a crash.
 */
import { describe, expect, it } from 'vitest'
import { crc64 } from '../../src/persistence/crc64.ts'
import { readIntset, readListpack, readZiplist, readZipmap } from '../../src/persistence/compact-encodings.ts'
import { RdbDecoder } from '../../src/persistence/rdb-decoder.ts'
import { RdbEncoder } from '../../src/persistence/rdb-encoder.ts'
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../../src/persistence/rdb-file.ts'
import { RdbError, RdbType } from '../../src/persistence/rdb-format.ts'
import { readValue } from '../../src/persistence/rdb-values.ts'
import { testEngine } from '../helpers.ts'

const LIMITS = { hashEntries: 128, hashValue: 64, setIntsetEntries: 512, zsetEntries: 128, zsetValue: 64 }

async function populated() {
  const t = testEngine()
  t.clock.set(1_700_000_000_000)
  await t.resp('SET', 'str', 'hello')
  await t.resp('SET', 'int', '-12345')
  await t.resp('SET', 'long-int', '9223372036854775807')
  await t.resp('SET', 'lzf', 'abcabcabc'.repeat(50))
  await t.resp('SET', Buffer.from([0, 255, 10, 13]), Buffer.from([1, 2, 0, 200]))
  await t.resp('SET', 'ttl', 'v', 'PX', '5000')
  await t.resp('RPUSH', 'list', 'a', '1', '-70000', 'x'.repeat(100))
  await t.resp('HSET', 'hash', 'f', 'v', 'n', '12')
  await t.resp('HSET', 'bighash', 'long', 'y'.repeat(100))
  await t.resp('SADD', 'intset', '3', '-1', '100000', '9223372036854775807')
  await t.resp('SADD', 'set', 'a', 'b', '1')
  await t.resp('ZADD', 'zset', '1.5', 'a', '-inf', 'b', 'inf', 'c', '0', 'd')
  await t.resp('ZADD', 'bigzset', '2', 'm'.repeat(100))
  await t.resp('PFADD', 'hll', 'a', 'b', 'c')
  await t.resp('SELECT', '5')
  await t.resp('SET', 'in-db-5', 'five')
  await t.resp('SELECT', '0')
  return t
}

function encode(t: Awaited<ReturnType<typeof populated>>, compress = true): Buffer {
  return Buffer.concat(
    encodeSnapshot(t.engine.keyspace, {
      compress,
      checksum: true,
      now: t.clock.now(),
      usedMemory: 1234,
      saveLruIdle: false,
    }),
  )
}

function decode(file: Buffer): Snapshot {
  return decodeSnapshot(file, { limits: LIMITS, verifyChecksum: true, databases: 16 })
}

describe('RDB files', () => {
  it('round-trip every type and encoding, with TTLs and databases', async () => {
    const source = await populated()
    for (const compress of [true, false]) {
      const file = encode(source, compress)
      expect(file.toString('latin1', 0, 9)).toBe('REDIS0010')
      const loaded = testEngine({ rdb: file })
      loaded.clock.set(source.clock.now())
      const target = testEngine()
      target.clock.set(source.clock.now())
      target.engine.direct(() => target.engine.snapshots.load(file))
      {
        const t = target
        expect(await t.resp('GET', 'str')).toBe('$5\r\nhello\r\n')
        expect(await t.resp('GET', 'int')).toBe('$6\r\n-12345\r\n')
        expect(await t.resp('GET', 'long-int')).toBe('$19\r\n9223372036854775807\r\n')
        expect(await t.resp('GET', 'lzf')).toBe(`$450\r\n${'abcabcabc'.repeat(50)}\r\n`)
        expect(await t.resp('GET', Buffer.from([0, 255, 10, 13]))).toBe('$4\r\n\x01\x02\x00\xc8\r\n')
        expect(await t.resp('PTTL', 'ttl')).toBe(':5000\r\n')
        expect(await t.resp('LRANGE', 'list', '0', '-1')).toBe(
          `*4\r\n$1\r\na\r\n$1\r\n1\r\n$6\r\n-70000\r\n$100\r\n${'x'.repeat(100)}\r\n`,
        )
        expect(await t.resp('HGETALL', 'hash')).toBe('*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nn\r\n$2\r\n12\r\n')
        expect(await t.resp('OBJECT', 'ENCODING', 'hash')).toBe('$8\r\nlistpack\r\n')
        expect(await t.resp('OBJECT', 'ENCODING', 'bighash')).toBe('$9\r\nhashtable\r\n')
        expect(await t.resp('SMEMBERS', 'intset')).toBe(
          '*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$6\r\n100000\r\n$19\r\n9223372036854775807\r\n',
        )
        expect(await t.resp('OBJECT', 'ENCODING', 'intset')).toBe('$6\r\nintset\r\n')
        expect(await t.resp('OBJECT', 'ENCODING', 'set')).toBe('$9\r\nhashtable\r\n')
        expect(await t.resp('SCARD', 'set')).toBe(':3\r\n')
        expect(await t.resp('ZRANGE', 'zset', '0', '-1', 'WITHSCORES')).toBe(
          '*8\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nc\r\n$3\r\ninf\r\n',
        )
        expect(await t.resp('OBJECT', 'ENCODING', 'zset')).toBe('$8\r\nlistpack\r\n')
        expect(await t.resp('OBJECT', 'ENCODING', 'bigzset')).toBe('$8\r\nskiplist\r\n')
        expect(await t.resp('PFCOUNT', 'hll')).toBe(':3\r\n')
        expect(await t.resp('DBSIZE')).toBe(':14\r\n')
        expect(await t.resp('SELECT', '5')).toBe('+OK\r\n')
        expect(await t.resp('GET', 'in-db-5')).toBe('$4\r\nfive\r\n')
      }
      expect(await loaded.resp('DBSIZE')).toBe(':14\r\n')
    }
  })

  it('compresses long strings with LZF only when rdbcompression is on', async () => {
    const t = await populated()
    const packed = encode(t, true)
    const plain = encode(t, false)
    expect(packed.length).toBeLessThan(plain.length - 300)
    expect(plain.includes(Buffer.from('abcabcabc'.repeat(50)))).toBe(true)
    expect(packed.includes(Buffer.from('abcabcabc'.repeat(50)))).toBe(false)
  })

  it('does not load keys whose time has passed, and counts them', async () => {
    const source = await populated()
    const file = encode(source)
    const t = testEngine()
    t.clock.set(source.clock.now() + 6000)
    const result = t.engine.direct(() => t.engine.snapshots.load(file))
    expect(result).toEqual({ loaded: 14, expired: 1 })
    expect(await t.resp('EXISTS', 'ttl')).toBe(':0\r\n')
  })

  it('ends with the CRC-64 of everything before it, or zeros without rdbchecksum', async () => {
    const t = await populated()
    const file = encode(t)
    const body = file.subarray(0, file.length - 8)
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(body))
    const unchecked = Buffer.concat(
      encodeSnapshot(t.engine.keyspace, { compress: true, checksum: false, now: 0, usedMemory: 0, saveLruIdle: false }),
    )
    expect(unchecked.subarray(unchecked.length - 8)).toEqual(Buffer.alloc(8))
    // A zero checksum is never verified, as in Redis.
    expect(() => decode(unchecked)).not.toThrow()
  })

  it('refuses a file truncated anywhere, with an error rather than a crash', async () => {
    const file = encode(await populated())
    for (let length = 0; length < file.length; length++) {
      expect(() => decode(file.subarray(0, length)), `truncated to ${length}`).toThrow(RdbError)
    }
  })

  it('refuses any single corrupted byte: a checksum mismatch at worst', async () => {
    const file = encode(await populated())
    for (let i = 9; i < file.length; i++) {
      const damaged = Buffer.from(file)
      damaged[i] ^= 0x5a
      expect(() => decode(damaged), `byte ${i} flipped`).toThrow(RdbError)
    }
    const damaged = Buffer.from(file)
    damaged[file.length - 20] ^= 1
    expect(() => decode(damaged)).toThrow(
      /^Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\)\. Aborting now\.$/,
    )
  })

  it('refuses a wrong signature, an unknown version and a database past `databases`', async () => {
    const file = encode(await populated())
    expect(() => decode(Buffer.from('RUBBISH0010'))).toThrow('Wrong signature trying to load DB from file')
    const future = Buffer.from(file)
    future.write('0011', 5, 'latin1')
    expect(() => decode(future)).toThrow("Can't handle RDB format version 11")
    expect(() => decodeSnapshot(file, { limits: LIMITS, verifyChecksum: true, databases: 4 })).toThrow(
      'Data file was created with a Redis server configured to handle more than 4 databases',
    )
  })

  it('writes integers in their INT8/16/32 encodings and longer numbers as text', () => {
    const out = new RdbEncoder(false)
    for (const s of ['0', '-1', '127', '-129', '32768', '2147483647', '2147483648', '007', '-0', '1x']) {
      out.string(Buffer.from(s))
    }
    const bytes = out.take()
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0xc0, 0x00, 0xc0, 0xff]))
    const input = new RdbDecoder(bytes)
    const read = Array.from({ length: 10 }, () => input.string().toString())
    expect(read).toEqual(['0', '-1', '127', '-129', '32768', '2147483647', '2147483648', '007', '-0', '1x'])
    expect(input.remaining).toBe(0)
  })
})

/** A listpack of `entries` (each an encoded entry without its back-length), as lpNew/lpAppend lay it out. */
function listpack(entries: Buffer[]): Buffer {
  const body = Buffer.concat(entries.map((e) => Buffer.concat([e, Buffer.from([e.length])])))
  const out = Buffer.alloc(6 + body.length + 1)
  out.writeUInt32LE(out.length, 0)
  out.writeUInt16LE(entries.length, 4)
  body.copy(out, 6)
  out[out.length - 1] = 0xff
  return out
}

/** A ziplist of encoded entries (each without its prevlen, which is computed here). */
function ziplist(entries: Buffer[]): Buffer {
  const parts: Buffer[] = []
  let previous = 0
  for (const e of entries) {
    parts.push(Buffer.from([previous]), e)
    previous = 1 + e.length
  }
  const body = Buffer.concat(parts)
  const out = Buffer.alloc(10 + body.length + 1)
  out.writeUInt32LE(out.length, 0)
  out.writeUInt16LE(entries.length, 8)
  body.copy(out, 10)
  out[out.length - 1] = 0xff
  return out
}

function collect(read: (blob: Buffer, visit: (e: Buffer) => void) => number, blob: Buffer): string[] {
  const out: string[] = []
  read(blob, (e) => out.push(e.toString('latin1')))
  return out
}

describe('compact encodings', () => {
  it('listpack: 7-bit, 13-bit, 16/24/32/64-bit integers and 6-bit, 12-bit strings', () => {
    const int16 = Buffer.alloc(3)
    int16[0] = 0xf1
    int16.writeInt16LE(-30000, 1)
    const int24 = Buffer.alloc(4)
    int24[0] = 0xf2
    int24.writeIntLE(-8000000, 1, 3)
    const int32 = Buffer.alloc(5)
    int32[0] = 0xf3
    int32.writeInt32LE(2000000000, 1)
    const int64 = Buffer.alloc(9)
    int64[0] = 0xf4
    int64.writeBigInt64LE(-9223372036854775808n, 1)
    const long = 'z'.repeat(70)
    const entries = [
      Buffer.from([0x05]),
      Buffer.from([0xc0 | 0x1f, 0xff]), // 13-bit -1
      int16,
      int24,
      int32,
      int64,
      Buffer.concat([Buffer.from([0x80 | 3]), Buffer.from('abc')]),
      Buffer.concat([Buffer.from([0xe0, 70]), Buffer.from(long)]),
    ]
    expect(collect(readListpack, listpack(entries))).toEqual([
      '5',
      '-1',
      '-30000',
      '-8000000',
      '2000000000',
      '-9223372036854775808',
      'abc',
      long,
    ])
    const broken = listpack(entries)
    broken.writeUInt16LE(9, 4)
    expect(() => readListpack(broken, () => {})).toThrow(RdbError)
  })

  it('ziplist: strings and every integer encoding', () => {
    const int16 = Buffer.from([0xc0, 0, 0])
    int16.writeInt16LE(-2, 1)
    const int24 = Buffer.from([0xf0, 0, 0, 0])
    int24.writeIntLE(1 << 20, 1, 3)
    const entries = [
      Buffer.concat([Buffer.from([2]), Buffer.from('hi')]),
      Buffer.from([0xf1 + 12]), // immediate 12
      Buffer.from([0xfe, 0x80]), // int8 -128
      int16,
      int24,
    ]
    expect(collect(readZiplist, ziplist(entries))).toEqual(['hi', '12', '-128', '-2', String(1 << 20)])
    expect(() => readZiplist(ziplist(entries).subarray(0, 12), () => {})).toThrow(RdbError)
  })

  it('intset: ascending integers of one width; zipmap: key, value and free bytes', () => {
    const intset = Buffer.alloc(8 + 3 * 4)
    intset.writeUInt32LE(4, 0)
    intset.writeUInt32LE(3, 4)
    ;[-100000, 1, 70000].forEach((v, i) => {
      intset.writeInt32LE(v, 8 + i * 4)
    })
    expect(collect(readIntset, intset)).toEqual(['-100000', '1', '70000'])
    intset.writeInt32LE(-5, 16)
    expect(() => readIntset(intset, () => {})).toThrow(RdbError)
    const zipmap = Buffer.concat([
      Buffer.from([1, 3]),
      Buffer.from('foo'),
      Buffer.from([3, 2]),
      Buffer.from('bar'),
      Buffer.from('..'),
      Buffer.from([0xff]),
    ])
    expect(collect(readZipmap, zipmap)).toEqual(['foo', 'bar'])
  })

  it('values in the ziplist and zipmap encodings of older files load as the same types', () => {
    const string = (b: Buffer): Buffer => {
      const out = new RdbEncoder(false)
      out.length(b.length)
      out.bytes(b)
      return out.take()
    }
    const text = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])
    const zset = ziplist([text('a'), text('2.5'), text('b'), text('-inf')])
    const value = readValue(new RdbDecoder(string(zset)), RdbType.ZSET_ZIPLIST, LIMITS) as unknown as {
      score(m: string): number
      encoding: string
    }
    expect([value.score('a'), value.score('b'), value.encoding]).toEqual([2.5, Number.NEGATIVE_INFINITY, 'listpack'])
    const hash = ziplist([text('f'), text('v')])
    const h = readValue(new RdbDecoder(string(hash)), RdbType.HASH_ZIPLIST, LIMITS) as unknown as {
      fields: { get(f: string): Buffer }
    }
    expect(h.fields.get('f').toString()).toBe('v')
    const quicklist = new RdbEncoder(false)
    quicklist.length(2)
    for (const node of [ziplist([text('x')]), ziplist([text('y'), Buffer.from([0xf1 + 3])])]) {
      quicklist.bytes(string(node))
    }
    const list = readValue(new RdbDecoder(quicklist.take()), RdbType.LIST_QUICKLIST, LIMITS) as unknown as {
      range(a: number, b: number): Buffer[]
    }
    expect(list.range(0, 2).map(String)).toEqual(['x', 'y', '3'])
  })
})
