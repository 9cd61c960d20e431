/** Set behaviour beyond single replies: intset order and conversion, SSCAN under changes, SPOP/SRANDMEMBER sampling. */
import { describe, expect, it } from 'vitest'
import type { RedisSet } from '../../src/keyspace/types/set.ts'
import { compareIntStrings, isInt64String } from '../../src/keyspace/types/set.ts'
import { respText, testEngine } from '../helpers.ts'

function strings(reply: unknown): string[] {
  const items = Array.isArray(reply) ? reply : (reply as { items: Buffer[] }).items
  return (items as Buffer[]).map((b) => b.toString('latin1'))
}

function range(n: number, prefix = ''): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`)
}

describe('set encodings', () => {
  it('keeps integers as an intset, sorted, until set-max-intset-entries or a non-integer', async () => {
    const { engine, conn } = testEngine()
    engine.config.set('set-max-intset-entries', '5')
    await conn.call('SADD', 's', '30', '-2', '10')
    const set = () => engine.keyspace.db(0).table.get('s') as RedisSet
    expect(set().encoding).toBe('intset')
    expect(strings(await conn.call('SMEMBERS', 's'))).toEqual(['-2', '10', '30'])
    await conn.call('SADD', 's', '1', '2')
    expect(set().encoding).toBe('intset')
    await conn.call('SADD', 's', '3')
    expect(set().encoding).toBe('hashtable')
    await conn.call('SREM', 's', '1', '2', '3')
    expect(set().encoding).toBe('hashtable')
    await conn.call('SADD', 't', '1', 'x')
    expect((engine.keyspace.db(0).table.get('t') as RedisSet).encoding).toBe('hashtable')
  })

  it('recognises exactly the canonical int64 strings', () => {
    for (const s of ['0', '-1', '9223372036854775807', '-9223372036854775808', '12'])
      expect(isInt64String(s), s).toBe(true)
    for (const s of ['', '-', '-0', '01', '+1', ' 1', '1 ', '9223372036854775808', '-9223372036854775809', '1e3']) {
      expect(isInt64String(s), s).toBe(false)
    }
    const sorted = ['5', '-9223372036854775808', '10', '-3', '9223372036854775807', '0'].sort(compareIntStrings)
    expect(sorted).toEqual(['-9223372036854775808', '-3', '0', '5', '10', '9223372036854775807'])
  })

  it('clone is independent and keeps the encoding', async () => {
    const { engine, conn } = testEngine()
    await conn.call('SADD', 's', '3', '1')
    const set = engine.keyspace.db(0).table.get('s') as RedisSet
    const copy = set.clone()
    await conn.call('SADD', 's', 'x')
    expect(copy.members()).toEqual(['1', '3'])
    expect(copy.encoding).toBe('intset')
    expect(set.encoding).toBe('hashtable')
  })
})

describe('SSCAN', () => {
  it('returns an intset whole in one call', async () => {
    const { conn } = testEngine()
    await conn.call('SADD', 's', ...range(100))
    const [cursor, items] = (await conn.call('SSCAN', 's', '0', 'COUNT', '5')) as [Buffer, Buffer[]]
    expect(cursor.toString()).toBe('0')
    expect(items.length).toBe(100)
  })

  it('walks a hash table set and returns every member present throughout while members change', async () => {
    const { conn } = testEngine()
    await conn.call('SADD', 's', ...range(500, 'm'))
    const seen = new Set<string>()
    let cursor = '0'
    let round = 0
    do {
      const [next, items] = (await conn.call('SSCAN', 's', cursor, 'COUNT', '10')) as [Buffer, Buffer[]]
      for (const item of items) seen.add(item.toString())
      cursor = next.toString()
      await conn.call('SREM', 's', ...Array.from({ length: 20 }, (_, k) => `m${100 + ((round * 20 + k) % 400)}`))
      await conn.call('SADD', 's', `new${round}`)
      round++
    } while (cursor !== '0')
    expect(round).toBeGreaterThan(5)
    for (let i = 0; i < 100; i++) expect(seen.has(`m${i}`), `m${i}`).toBe(true)
  })
})

describe('SPOP and SRANDMEMBER', () => {
  it('SPOP with a count removes distinct members and deletes the key at the end', async () => {
    const { conn, resp } = testEngine()
    await conn.call('SADD', 's', ...range(30, 'x'))
    const first = strings(await conn.call('SPOP', 's', '10'))
    expect(new Set(first).size).toBe(10)
    expect(await resp('SCARD', 's')).toBe(':20\r\n')
    for (const m of first) expect(await resp('SISMEMBER', 's', m)).toBe(':0\r\n')
    const rest = strings(await conn.call('SPOP', 's', '25'))
    expect(new Set([...first, ...rest]).size).toBe(30)
    expect(await resp('EXISTS', 's')).toBe(':0\r\n')
  })

  it('SRANDMEMBER gives distinct members for a positive count and repeats for a negative one', async () => {
    const { conn } = testEngine()
    await conn.call('SADD', 's', ...range(60, 'y'))
    for (const count of [3, 25, 59]) {
      const picks = strings(await conn.call('SRANDMEMBER', 's', String(count)))
      expect(picks.length).toBe(count)
      expect(new Set(picks).size).toBe(count)
    }
    const repeated = strings(await conn.call('SRANDMEMBER', 's', '-500'))
    expect(repeated.length).toBe(500)
    expect(new Set(repeated).size).toBeLessThan(61)
    expect(new Set(repeated).size).toBeGreaterThan(40)
  })

  it('is reproducible from the engine seed', async () => {
    const run = async () => {
      const { conn } = testEngine()
      await conn.call('SADD', 's', ...range(40, 'z'))
      return [strings(await conn.call('SPOP', 's', '5')), strings(await conn.call('SRANDMEMBER', 's', '-5'))]
    }
    expect(await run()).toEqual(await run())
  })
})

describe('set writes', () => {
  it('every write invalidates WATCH; a no-op write does not', async () => {
    const { conn, connect } = testEngine()
    const other = connect()
    const attempt = async (write: string[]) => {
      await conn.call('DEL', 's', 'd')
      await conn.call('SADD', 's', 'a', 'b')
      await conn.call('WATCH', 's')
      await other.call(...write)
      await conn.call('MULTI')
      await conn.call('PING')
      return respText(await conn.call('EXEC'))
    }
    for (const w of [
      ['SADD', 's', 'c'],
      ['SREM', 's', 'a'],
      ['SPOP', 's'],
      ['SMOVE', 's', 'd', 'a'],
      ['SINTERSTORE', 's', 's', 'nokey'],
      ['SUNIONSTORE', 's', 's'],
    ]) {
      expect(await attempt(w), w.join(' ')).toBe('*-1\r\n')
    }
    for (const w of [
      ['SADD', 's', 'a'],
      ['SREM', 's', 'zz'],
      ['SMOVE', 's', 'd', 'zz'],
    ]) {
      expect(await attempt(w), w.join(' ')).toBe('*1\r\n+PONG\r\n')
    }
  })

  it('is binary safe', async () => {
    const { conn } = testEngine()
    const m = Buffer.from([0, 0xfe, 0x0a])
    await conn.call('SADD', 's', m)
    expect(await conn.call('SISMEMBER', 's', m)).toBe(1)
    expect(strings(await conn.call('SMEMBERS', 's'))).toEqual([m.toString('latin1')])
  })
})
