/** Hash behaviour beyond single replies: encodings, HSCAN under changes, HRANDFIELD sampling, WATCH, binary safety. */
import { describe, expect, it } from 'vitest'
import type { RedisHash } from '../../src/keyspace/types/hash.ts'
import { MapReply } from '../../src/protocol/reply.ts'
import { respText, testEngine } from '../helpers.ts'

function strings(reply: unknown): string[] {
  return (reply as Buffer[]).map((b) => b.toString('latin1'))
}

async function scanAll(call: (cursor: string) => Promise<unknown>): Promise<{ fields: string[]; calls: number }> {
  let cursor = '0'
  const fields: string[] = []
  let calls = 0
  do {
    const [next, items] = (await call(cursor)) as [Buffer, Buffer[]]
    for (let i = 0; i < items.length; i += 2) fields.push(items[i].toString('latin1'))
    cursor = next.toString()
    calls++
  } while (cursor !== '0')
  return { fields, calls }
}

describe('hash encodings', () => {
  it('stays a listpack up to hash-max-listpack-entries and converts for good past it', async () => {
    const { engine, conn } = testEngine()
    engine.config.set('hash-max-listpack-entries', '4')
    await conn.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4')
    const hash = engine.keyspace.db(0).table.get('h') as RedisHash
    expect(hash.encoding).toBe('listpack')
    await conn.call('HSET', 'h', 'e', '5')
    expect(hash.encoding).toBe('hashtable')
    await conn.call('HDEL', 'h', 'a', 'b', 'c')
    expect(hash.encoding).toBe('hashtable')
  })

  it('converts when a field or value is longer than hash-max-listpack-value, also from HINCRBYFLOAT', async () => {
    const { engine, conn } = testEngine()
    engine.config.set('hash-max-listpack-value', '8')
    await conn.call('HSET', 'a', 'f', '12345678')
    expect((engine.keyspace.db(0).table.get('a') as RedisHash).encoding).toBe('listpack')
    await conn.call('HSET', 'b', 'f', '123456789')
    expect((engine.keyspace.db(0).table.get('b') as RedisHash).encoding).toBe('hashtable')
    await conn.call('HSET', 'c', 'f123456789', '1')
    expect((engine.keyspace.db(0).table.get('c') as RedisHash).encoding).toBe('hashtable')
    await conn.call('HINCRBYFLOAT', 'd', 'f', '0.123456789')
    expect((engine.keyspace.db(0).table.get('d') as RedisHash).encoding).toBe('hashtable')
    // HSETNX on an existing field changes nothing, so it does not convert either.
    await conn.call('HSETNX', 'a', 'f', 'x'.repeat(20))
    expect((engine.keyspace.db(0).table.get('a') as RedisHash).encoding).toBe('listpack')
  })

  it('COPY-style clone is independent and keeps the encoding', async () => {
    const { engine, conn } = testEngine()
    await conn.call('HSET', 'h', 'a', '1', 'b', '2')
    const hash = engine.keyspace.db(0).table.get('h') as RedisHash
    const copy = hash.clone()
    await conn.call('HSET', 'h', 'c', '3')
    expect(copy.length).toBe(2)
    expect(copy.fields.get('a')?.toString()).toBe('1')
    expect(copy.encoding).toBe(hash.encoding)
  })
})

/** Redis's default listpack limit (128), so that a few hundred fields make a hash table. */
function hashtableEngine() {
  const t = testEngine()
  t.engine.config.set('hash-max-listpack-entries', '128')
  return t
}

describe('HSCAN', () => {
  it('returns a listpack hash whole in one call with cursor 0, whatever the cursor and COUNT', async () => {
    const { conn } = hashtableEngine()
    await conn.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3')
    const reply = await conn.call('HSCAN', 'h', '12345', 'COUNT', '1')
    expect(strings((reply as [Buffer, Buffer[]])[1])).toEqual(['a', '1', 'b', '2', 'c', '3'])
    expect((reply as [Buffer, Buffer[]])[0].toString()).toBe('0')
  })

  it('walks a hash table with a cursor, COUNT at a time, each field once', async () => {
    const { conn } = hashtableEngine()
    const args: string[] = []
    for (let i = 0; i < 300; i++) args.push(`f${i}`, `${i}`)
    await conn.call('HSET', 'h', ...args)
    const { fields, calls } = await scanAll((cursor) => conn.call('HSCAN', 'h', cursor, 'COUNT', '7'))
    expect(new Set(fields).size).toBe(300)
    expect(fields).toContain('f0')
    expect(fields.length).toBe(300)
    expect(calls).toBeGreaterThan(40)
  })

  it('returns every field present for the whole scan at least once while fields come and go', async () => {
    const { conn } = hashtableEngine()
    const args: string[] = []
    for (let i = 0; i < 400; i++) args.push(`f${i}`, 'v')
    await conn.call('HSET', 'h', ...args)
    const seen = new Set<string>()
    let cursor = '0'
    let round = 0
    do {
      const [next, items] = (await conn.call('HSCAN', 'h', cursor, 'COUNT', '10')) as [Buffer, Buffer[]]
      for (let i = 0; i < items.length; i += 2) seen.add(items[i].toString())
      cursor = next.toString()
      // Between calls: delete some of the fields numbered 300.. and add new ones, forcing compactions.
      for (let k = 0; k < 6; k++) await conn.call('HDEL', 'h', `f${300 + ((round * 6 + k) % 100)}`)
      await conn.call('HSET', 'h', `new${round}`, 'v')
      round++
    } while (cursor !== '0')
    for (let i = 0; i < 300; i++) expect(seen.has(`f${i}`), `f${i}`).toBe(true)
  })

  it('filters with MATCH after counting, as Redis does', async () => {
    const { conn } = hashtableEngine()
    const args: string[] = []
    for (let i = 0; i < 200; i++) args.push(`${i % 2 ? 'odd' : 'even'}${i}`, 'v')
    await conn.call('HSET', 'h', ...args)
    const { fields } = await scanAll((cursor) => conn.call('HSCAN', 'h', cursor, 'MATCH', 'odd*', 'COUNT', '20'))
    expect(fields.length).toBe(100)
    expect(fields.every((f) => f.startsWith('odd'))).toBe(true)
  })
})

describe('HRANDFIELD', () => {
  it('returns distinct fields for a positive count, in both sampling strategies', async () => {
    const { conn } = testEngine()
    const args: string[] = []
    for (let i = 0; i < 100; i++) args.push(`f${i}`, `v${i}`)
    await conn.call('HSET', 'h', ...args)
    for (const count of [5, 50, 99]) {
      const fields = strings(await conn.call('HRANDFIELD', 'h', count))
      expect(fields.length).toBe(count)
      expect(new Set(fields).size).toBe(count)
      for (const f of fields) expect(f).toMatch(/^f\d+$/)
    }
  })

  it('repeats fields for a negative count and pairs values WITHVALUES (flat in RESP2, nested in RESP3)', async () => {
    const { conn } = testEngine()
    await conn.call('HSET', 'h', 'a', '1', 'b', '2')
    const many = strings(await conn.call('HRANDFIELD', 'h', -50))
    expect(many.length).toBe(50)
    expect(new Set(many)).toEqual(new Set(['a', 'b']))
    const flat = strings(await conn.call('HRANDFIELD', 'h', -6, 'WITHVALUES'))
    expect(flat.length).toBe(12)
    for (let i = 0; i < flat.length; i += 2) expect(flat[i + 1]).toBe(flat[i] === 'a' ? '1' : '2')
    await conn.call('HELLO', '3')
    const nested = (await conn.call('HRANDFIELD', 'h', -3, 'WITHVALUES')) as Buffer[][]
    expect(nested.length).toBe(3)
    for (const [f, v] of nested) expect(v.toString()).toBe(f.toString() === 'a' ? '1' : '2')
  })

  it('draws from the engine random source only: same seed, same picks', async () => {
    const picks = async () => {
      const { conn } = testEngine()
      const args: string[] = []
      for (let i = 0; i < 50; i++) args.push(`f${i}`, 'v')
      await conn.call('HSET', 'h', ...args)
      return strings(await conn.call('HRANDFIELD', 'h', -20))
    }
    expect(await picks()).toEqual(await picks())
  })

  it('refuses an absurd negative count instead of spinning', async () => {
    const { resp } = testEngine()
    await resp('HSET', 'h', 'a', '1')
    expect(await resp('HRANDFIELD', 'h', '-9223372036854775807')).toBe('-ERR value is out of range\r\n')
  })
})

describe('hash writes and replies', () => {
  it('invalidates WATCH on every write, including a delete that empties the hash', async () => {
    const { conn, connect } = testEngine()
    const other = connect()
    for (const write of [
      ['HSET', 'h', 'x', '1'],
      ['HINCRBY', 'h', 'a', '1'],
      ['HINCRBYFLOAT', 'h', 'a', '1.5'],
      ['HDEL', 'h', 'a'],
      ['HSETNX', 'h', 'new', '1'],
    ]) {
      await conn.call('DEL', 'h')
      await conn.call('HSET', 'h', 'a', '1')
      await conn.call('WATCH', 'h')
      await other.call(...write)
      await conn.call('MULTI')
      await conn.call('PING')
      expect(respText(await conn.call('EXEC')), write.join(' ')).toBe('*-1\r\n')
    }
  })

  it('does not invalidate WATCH on a write that changes nothing', async () => {
    const { conn, connect, resp } = testEngine()
    const other = connect()
    await conn.call('HSET', 'h', 'a', '1')
    await conn.call('WATCH', 'h')
    await other.call('HDEL', 'h', 'nofield')
    await other.call('HSETNX', 'h', 'a', '2')
    await conn.call('MULTI')
    await conn.call('HGET', 'h', 'a')
    expect(await resp('EXEC')).toBe('*1\r\n$1\r\n1\r\n')
  })

  it('deletes the key when the last field goes', async () => {
    const { resp } = testEngine()
    await resp('HSET', 'h', 'a', '1', 'b', '2')
    expect(await resp('HDEL', 'h', 'a', 'b', 'a')).toBe(':2\r\n')
    expect(await resp('EXISTS', 'h')).toBe(':0\r\n')
  })

  it('is binary safe for fields and values', async () => {
    const { conn } = testEngine()
    const field = Buffer.from([0, 0xff, 0x80, 0x0d, 0x0a])
    const value = Buffer.from([0xc3, 0x28, 0])
    await conn.call('HSET', 'h', field, value)
    expect(await conn.call('HGET', 'h', field)).toEqual(value)
    expect((await conn.call('HKEYS', 'h')) as Buffer[]).toEqual([field])
    expect(await conn.call('HSTRLEN', 'h', field)).toBe(3)
  })

  it('answers HGETALL as a map (RESP3) and hands out stored values without copying', async () => {
    const { conn, engine } = testEngine()
    await conn.call('HSET', 'h', 'a', '1')
    const reply = await conn.call('HGETALL', 'h')
    expect(reply).toBeInstanceOf(MapReply)
    const stored = (engine.keyspace.db(0).table.get('h') as RedisHash).fields.get('a')
    expect((reply as MapReply).entries[0][1]).toBe(stored)
    await conn.call('HELLO', '3')
    expect(respText(await conn.call('HGETALL', 'h'), 3)).toBe('%1\r\n$1\r\na\r\n$1\r\n1\r\n')
  })
})
