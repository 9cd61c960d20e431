import { describe, expect, it } from 'vitest'
import { SortedSet } from '../../src/keyspace/types/zset.ts'
import { testEngine } from '../helpers.ts'

/** Runs `write` between WATCH k and EXEC; returns whether EXEC was aborted (the write touched k). */
async function touches(write: (t: ReturnType<typeof testEngine>) => Promise<unknown>, setup: string[][] = []) {
  const t = testEngine()
  for (const c of setup) await t.conn.call(...c)
  const other = t.connect()
  await t.conn.call('WATCH', 'k')
  await write({ ...t, conn: other })
  await t.conn.call('MULTI')
  await t.conn.call('PING')
  return (await t.resp('EXEC')) === '*-1\r\n'
}

describe('sorted sets: writes, WATCH and empty keys', () => {
  it('every modifying command touches the key; no-ops do not', async () => {
    const base = [['ZADD', 'k', '1', 'a', '2', 'b']]
    expect(await touches((t) => t.conn.call('ZADD', 'k', '3', 'c'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZINCRBY', 'k', '1', 'a'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZREM', 'k', 'a'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZPOPMIN', 'k'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZREMRANGEBYSCORE', 'k', '-inf', '+inf'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZUNIONSTORE', 'k', '1', 'k'), base)).toBe(true)
    expect(await touches((t) => t.conn.call('ZADD', 'k', '1', 'a'), base)).toBe(false)
    expect(await touches((t) => t.conn.call('ZADD', 'k', 'NX', '5', 'a'), base)).toBe(false)
    expect(await touches((t) => t.conn.call('ZREM', 'k', 'nope'), base)).toBe(false)
    expect(await touches((t) => t.conn.call('ZADD', 'k', 'XX', '1', 'a'))).toBe(false)
  })

  it('deletes a sorted set that becomes empty, and keeps a TTL across in-place changes', async () => {
    const t = testEngine()
    await t.conn.call('ZADD', 'k', '1', 'a', '2', 'b')
    await t.conn.call('EXPIRE', 'k', '100')
    await t.conn.call('ZADD', 'k', '3', 'c')
    expect(await t.conn.call('TTL', 'k')).toBe(100)
    await t.conn.call('ZREMRANGEBYRANK', 'k', '0', '-1')
    expect(await t.conn.call('EXISTS', 'k')).toBe(0)
    await t.conn.call('ZADD', 'k', '1', 'a')
    await t.conn.call('ZPOPMAX', 'k', '5')
    expect(await t.conn.call('EXISTS', 'k')).toBe(0)
  })

  it('the store commands replace the destination and its TTL', async () => {
    const t = testEngine()
    await t.conn.call('SET', 'dst', 'x')
    await t.conn.call('EXPIRE', 'dst', '100')
    await t.conn.call('ZADD', 'src', '1', 'a')
    expect(await t.conn.call('ZRANGESTORE', 'dst', 'src', '0', '-1')).toBe(1)
    expect(await t.conn.call('TTL', 'dst')).toBe(-1)
    expect(await t.conn.call('TYPE', 'dst')).toEqual({ value: 'zset' })
  })
})

describe('ZSCAN over the hash-table encoding', () => {
  it('returns every member present for the whole scan at least once while the set changes', async () => {
    const t = testEngine()
    await t.conn.call('CONFIG', 'SET', 'zset-max-listpack-entries', '0')
    const stable: string[] = []
    for (let i = 0; i < 300; i++) {
      await t.conn.call('ZADD', 'k', String(i), `s${i}`)
      stable.push(`s${i}`)
    }
    const seen = new Set<string>()
    let cursor = '0'
    let round = 0
    do {
      const [next, items] = (await t.conn.call('ZSCAN', 'k', cursor, 'COUNT', '7')) as [Buffer, Buffer[]]
      for (let i = 0; i < items.length; i += 2) seen.add(items[i].toString())
      // Churn between calls: add and remove other members.
      await t.conn.call('ZADD', 'k', '1', `tmp${round}`)
      if (round > 0) await t.conn.call('ZREM', 'k', `tmp${round - 1}`)
      round++
      cursor = next.toString()
    } while (cursor !== '0')
    expect(round).toBeGreaterThan(10)
    for (const m of stable) expect(seen.has(m)).toBe(true)
  })
})

describe('SortedSet value', () => {
  it('clone is independent and keeps the encoding', () => {
    const z = new SortedSet('skiplist')
    z.set('a', 1)
    z.set('b', -0)
    const copy = z.clone()
    copy.set('c', 3)
    copy.remove('a')
    expect(z.length).toBe(2)
    expect(z.score('a')).toBe(1)
    expect(copy.encoding).toBe('skiplist')
    expect(Object.is(copy.score('b'), -0)).toBe(true)
    expect(copy.rank('c')).toBe(1)
  })
})
