/**
 * No table stops at V8's Map limit (2^24 entries): a KeyTable splits into shards at its shard limit, for a database's
 * keys, its expiry and watch tables, and the members of hashes, sets and sorted sets. The limit is a constructor
 * option, so these tests prove growth past one shard with shards of a few hundred or thousand entries; one test goes
 * past the real limit.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/engine/random.ts'
import { DEFAULT_SHARD_LIMIT, KeyTable } from '../../src/keyspace/key-table.ts'
import { FieldTable } from '../../src/keyspace/types/field-table.ts'
import { RedisHash } from '../../src/keyspace/types/hash.ts'
import { RedisSet } from '../../src/keyspace/types/set.ts'
import { SortedSet } from '../../src/keyspace/types/zset.ts'
import { type Reply, SetReply } from '../../src/protocol/reply.ts'
import { testEngine } from '../helpers.ts'

function names(reply: Reply): string[] {
  const items = reply instanceof SetReply ? reply.items : reply
  return (items as Buffer[]).map((b) => b.toString('latin1'))
}

/** Every key of a full scan, in the order returned, scanning `count` at a time. */
function scanAll<V>(t: KeyTable<V>, count: number): string[] {
  const seen: string[] = []
  let cursor = 0
  let calls = 0
  do {
    cursor = t.scan(cursor, count, (k) => seen.push(k))
    if (++calls > 100_000) throw new Error('scan did not end')
  } while (cursor !== 0)
  return seen
}

describe('KeyTable past one shard', () => {
  it('grows past its shard limit: every key readable, overwrites in place, insertion order kept', () => {
    const t = new KeyTable<number>({ shardLimit: 1000 })
    for (let i = 0; i < 10_000; i++) expect(t.set(`k${i}`, i)).toBe(true)
    expect(t.size).toBe(10_000)
    expect(t.shardCount).toBeGreaterThanOrEqual(10)
    for (let i = 0; i < 10_000; i++) expect(t.get(`k${i}`)).toBe(i)
    expect(t.has('k10000')).toBe(false)
    expect(t.set('k5', -5)).toBe(false)
    expect(t.size).toBe(10_000)
    expect(t.get('k5')).toBe(-5)
    const keys = [...t.entries()].map(([k]) => k)
    expect(keys).toEqual(Array.from({ length: 10_000 }, (_, i) => `k${i}`))
    expect(scanAll(t, 37)).toEqual(keys)
  })

  it('shrinks back to one shard, keeping order and cursors; clear starts over', () => {
    const t = new KeyTable<number>({ shardLimit: 1000 })
    for (let i = 0; i < 5000; i++) t.set(`k${i}`, i)
    const cursorBefore = t.scan(0, 10, () => {})
    for (let i = 0; i < 4900; i++) expect(t.delete(`k${(i * 7) % 5000}`)).toBe(true)
    expect(t.size).toBe(100)
    expect(t.shardCount).toBe(1)
    const left = [...t.entries()].map(([k]) => k)
    expect(left).toEqual([...left].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))))
    // The cursor handed out while sharded resumes in the single table: nothing left after it is missed.
    const rest = new Set<string>()
    let cursor = cursorBefore
    while (cursor !== 0) cursor = t.scan(cursor, 10, (k) => rest.add(k))
    for (const k of left) if (Number(k.slice(1)) >= 10) expect(rest.has(k)).toBe(true)
    t.clear()
    expect(t.size).toBe(0)
    for (let i = 0; i < 3000; i++) t.set(`n${i}`, i)
    expect(t.shardCount).toBeGreaterThan(1)
    t.clear()
    expect(t.shardCount).toBe(1)
    expect(t.scan(cursorBefore, 10, () => {})).toBe(0)
  })

  it('SCAN guarantee holds while shards split and merge under the scan', () => {
    type Op = { kind: 'set'; key: number } | { kind: 'delete'; key: number } | { kind: 'clear' } | { kind: 'scan' }
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 3000 }).map((key) => ({ kind: 'set' as const, key })) },
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 3000 }).map((key) => ({ kind: 'delete' as const, key })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
      { weight: 4, arbitrary: fc.constant({ kind: 'scan' as const }) },
    )
    let sawShards = false
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 3000 }),
        fc.array(op, { maxLength: 4000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 4, max: 200 }),
        (initial, ops, count, shardLimit) => {
          const t = new KeyTable<number>({ shardLimit, minHolesToCompact: 8 })
          for (const k of initial) t.set(`k${k}`, k)
          const presentAtStart = new Set([...t.entries()].map(([k]) => k))
          const removedDuringScan = new Set<string>()
          const everPresent = new Set(presentAtStart)
          const returned = new Set<string>()
          let cursor = 0
          let finished = false
          for (const o of ops) {
            if (t.shardCount > 1) sawShards = true
            if (o.kind === 'set') {
              t.set(`k${o.key}`, o.key)
              everPresent.add(`k${o.key}`)
            } else if (o.kind === 'delete') {
              if (t.delete(`k${o.key}`)) removedDuringScan.add(`k${o.key}`)
            } else if (o.kind === 'clear') {
              for (const [k] of t.entries()) removedDuringScan.add(k)
              t.clear()
            } else if (!finished) {
              cursor = t.scan(cursor, count, (k) => returned.add(k))
              if (cursor === 0) finished = true
            }
          }
          for (let calls = 0; !finished; calls++) {
            if (calls > 10_000) throw new Error('scan did not end')
            cursor = t.scan(cursor, count, (k) => returned.add(k))
            if (cursor === 0) finished = true
          }
          for (const k of presentAtStart) {
            if (!removedDuringScan.has(k)) expect(returned.has(k)).toBe(true)
          }
          for (const k of returned) expect(everPresent.has(k)).toBe(true)
          // The table is still a correct map.
          for (const k of everPresent) expect(t.has(k)).toBe(t.get(k) !== undefined)
        },
      ),
      {
        numRuns: 40,
        // One fixed case that is sure to split and merge mid-scan, so the random runs never leave that path untried.
        examples: [
          [
            Array.from({ length: 300 }, (_, i) => i),
            Array.from(
              { length: 900 },
              (_, i): Op =>
                i % 3 === 0
                  ? { kind: 'scan' }
                  : i < 450
                    ? { kind: 'set', key: 300 + i }
                    : { kind: 'delete', key: i - 450 },
            ),
            7,
            8,
          ],
        ],
      },
    )
    expect(sawShards).toBe(true)
  })

  it('random keys are live, cover every shard about evenly, and repeat for the same random source', () => {
    const build = () => {
      const t = new KeyTable<number>({ shardLimit: 10 })
      for (let i = 0; i < 150; i++) t.set(`k${i}`, i)
      for (let i = 0; i < 50; i++) t.delete(`k${i * 3}`)
      return t
    }
    const t = build()
    expect(t.shardCount).toBeGreaterThan(5)
    const random = seededRandom(11)
    const counts = new Map<string, number>()
    const draws: string[] = []
    for (let i = 0; i < 20_000; i++) {
      const k = t.randomKey(() => random.next()) as string
      expect(t.has(k)).toBe(true)
      draws.push(k)
      counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    // 100 live keys, 200 expected draws each.
    expect(counts.size).toBe(100)
    for (const n of counts.values()) expect(n > 120 && n < 280).toBe(true)
    const again = build()
    const random2 = seededRandom(11)
    for (let i = 0; i < 200; i++) expect(again.randomKey(() => random2.next())).toBe(draws[i])
  })

  it("a Map-style consumer that rotates the first entries to the back (active expiry's pattern) reaches them all", () => {
    const t = new KeyTable<number>({ shardLimit: 100 })
    for (let i = 0; i < 1000; i++) t.set(`k${i}`, i)
    expect(t.shardCount).toBeGreaterThan(1)
    const sampled = new Set<string>()
    for (let pass = 0; pass < 60; pass++) {
      const first: Array<[string, number]> = []
      for (const entry of t) {
        if (first.length === 20) break
        first.push(entry)
      }
      for (const [k, v] of first) {
        sampled.add(k)
        t.delete(k)
        t.set(k, v)
      }
    }
    expect(sampled.size).toBe(1000)
    expect(t.size).toBe(1000)
  })

  it('goes past the real shard limit', { timeout: 300_000 }, () => {
    const t = new KeyTable<true>()
    const n = DEFAULT_SHARD_LIMIT + 1000
    for (let i = 0; i < n; i++) t.set(`k${i}`, true)
    expect(t.size).toBe(n)
    expect(t.shardCount).toBe(2)
    for (let i = 0; i < n; i += 4099) expect(t.has(`k${i}`)).toBe(true)
    expect(t.delete('k0')).toBe(true)
    expect(t.has('k0')).toBe(false)
    expect(t.size).toBe(n - 1)
  })
})

describe('the keyspace and its values past one shard', () => {
  it('a database: DBSIZE, KEYS, SCAN, RANDOMKEY, expiry, SWAPDB and FLUSHDB', async () => {
    const t = testEngine()
    for (const db of t.engine.keyspace.dbs.slice(0, 2)) {
      db.table = new KeyTable({ shardLimit: 1000 })
      db.expires = new KeyTable({ shardLimit: 1000 })
    }
    const db0 = t.engine.keyspace.db(0)
    for (let start = 0; start < 5000; start += 500) {
      const args: string[] = []
      for (let i = start; i < start + 500; i++) args.push(`key:${i}`, `v${i}`)
      expect(await t.resp('MSET', ...args)).toBe('+OK\r\n')
    }
    expect(db0.table.shardCount).toBeGreaterThan(1)
    expect(await t.resp('DBSIZE')).toBe(':5000\r\n')
    expect(await t.resp('GET', 'key:4321')).toBe('$5\r\nv4321\r\n')
    expect(names(await t.conn.call('KEYS', '*')).length).toBe(5000)
    const scanned: string[] = []
    let cursor = '0'
    do {
      const [next, keys] = (await t.conn.call('SCAN', cursor, 'COUNT', '100')) as [Buffer, Buffer[]]
      cursor = next.toString()
      scanned.push(...names(keys))
    } while (cursor !== '0')
    expect(scanned.length).toBe(5000)
    expect(new Set(scanned).size).toBe(5000)
    for (let i = 0; i < 20; i++) {
      const key = (await t.conn.call('RANDOMKEY')) as Buffer
      expect(await t.resp('EXISTS', key)).toBe(':1\r\n')
    }
    for (let i = 0; i < 3000; i++) await t.conn.call('PEXPIRE', `key:${i}`, '100')
    expect(db0.expires.shardCount).toBeGreaterThan(1)
    expect(await t.resp('PTTL', 'key:2999')).toBe(':100\r\n')
    t.clock.advance(101)
    for (let i = 0; i < 3000; i++) expect(await t.conn.call('GET', `key:${i}`)).toBe(null)
    expect(await t.resp('DBSIZE')).toBe(':2000\r\n')
    expect(db0.expires.size).toBe(0)
    expect(await t.resp('SWAPDB', '0', '1')).toBe('+OK\r\n')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
    expect(await t.resp('SELECT', '1')).toBe('+OK\r\n')
    expect(await t.resp('DBSIZE')).toBe(':2000\r\n')
    expect(await t.resp('GET', 'key:4999')).toBe('$5\r\nv4999\r\n')
    expect(await t.resp('FLUSHDB')).toBe('+OK\r\n')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
    expect(t.engine.keyspace.db(1).table.shardCount).toBe(1)
  })

  it('a hash, a set and a sorted set whose member tables outgrow one shard', async () => {
    const t = testEngine()
    const db = t.engine.keyspace.db(0)
    const fields = new FieldTable<Buffer>({ shardLimit: 100 })
    const members = new FieldTable<true>({ shardLimit: 100 })
    const scores = new KeyTable<number>({ shardLimit: 100 })
    // Placed straight in the table: these values differ from new ones only by their member tables' shard limit.
    db.table.set('h', new RedisHash(fields))
    db.table.set('s', new RedisSet(members, null))
    db.table.set('z', new SortedSet('skiplist', scores))
    const hset: string[] = []
    const sadd: string[] = []
    const zadd: string[] = []
    for (let i = 0; i < 3000; i++) {
      hset.push(`f${i}`, `v${i}`)
      sadd.push(`m${i}`)
      zadd.push(String(i), `m${i}`)
    }
    // The fields that were placed at creation (one each, so the values are not empty) come first.
    fields.set('f-1', Buffer.from('x'))
    members.set('m-1', true)
    await t.conn.call('ZADD', 'z', '-1', 'm-1')
    expect(await t.resp('HSET', 'h', ...hset)).toBe(':3000\r\n')
    expect(await t.resp('SADD', 's', ...sadd)).toBe(':3000\r\n')
    expect(await t.resp('ZADD', 'z', ...zadd)).toBe(':3000\r\n')
    expect(fields.shardCount).toBeGreaterThan(1)
    expect(members.shardCount).toBeGreaterThan(1)
    expect(scores.shardCount).toBeGreaterThan(1)

    expect(await t.resp('HLEN', 'h')).toBe(':3001\r\n')
    expect(await t.resp('HGET', 'h', 'f2999')).toBe('$5\r\nv2999\r\n')
    expect(await t.resp('SCARD', 's')).toBe(':3001\r\n')
    expect(await t.resp('SISMEMBER', 's', 'm1234')).toBe(':1\r\n')
    expect(await t.resp('ZCARD', 'z')).toBe(':3001\r\n')
    expect(await t.resp('ZSCORE', 'z', 'm2500')).toBe('$4\r\n2500\r\n')
    expect(await t.resp('ZRANK', 'z', 'm2500')).toBe(':2501\r\n')

    for (const [command, key, step] of [
      ['HSCAN', 'h', 2],
      ['SSCAN', 's', 1],
      ['ZSCAN', 'z', 2],
    ] as const) {
      const seen = new Set<string>()
      let cursor = '0'
      do {
        const [next, items] = (await t.conn.call(command, key, cursor, 'COUNT', '50')) as [Buffer, Buffer[]]
        cursor = next.toString()
        for (let i = 0; i < items.length; i += step) seen.add(items[i].toString())
      } while (cursor !== '0')
      expect(seen.size).toBe(3001)
    }

    const distinct = names(await t.conn.call('HRANDFIELD', 'h', '2000'))
    expect(new Set(distinct).size).toBe(2000)
    const withRepeats = names(await t.conn.call('SRANDMEMBER', 's', '-4000'))
    expect(withRepeats.length).toBe(4000)
    for (const m of withRepeats.slice(0, 50)) expect(await t.resp('SISMEMBER', 's', m)).toBe(':1\r\n')
    expect(names(await t.conn.call('ZRANDMEMBER', 'z', '10')).length).toBe(10)

    const popped = names(await t.conn.call('SPOP', 's', '50'))
    expect(new Set(popped).size).toBe(50)
    expect(await t.resp('SCARD', 's')).toBe(':2951\r\n')
    const hdel: string[] = []
    for (let i = 0; i < 2990; i++) hdel.push(`f${i}`)
    expect(await t.resp('HDEL', 'h', ...hdel)).toBe(':2990\r\n')
    expect(fields.shardCount).toBe(1)
    expect(names(await t.conn.call('HKEYS', 'h'))).toEqual([
      'f-1',
      ...Array.from({ length: 10 }, (_, i) => `f${2990 + i}`),
    ])
    expect(await t.resp('ZREMRANGEBYSCORE', 'z', '-inf', '2989')).toBe(':2991\r\n')
    expect(scores.shardCount).toBe(1)
    expect(names(await t.conn.call('ZRANGE', 'z', '0', '-1'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${2990 + i}`),
    )
  })
})
