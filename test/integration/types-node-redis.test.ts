/**
 * Each data type through node-redis over TCP: hashes, lists, sets, sorted sets, bitmaps, HyperLogLog,
 * SCAN iterators, pub/sub with patterns, and blocking commands (served by another client's push, timing out). The
 * expectations were checked against redis-server 7.0.15 (INTEGRATION_REDIS_PORT=N runs them against one).
 */
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer | undefined
let port = 0
const open: Array<{ destroy(): void }> = []

beforeAll(async () => {
  if (process.env.INTEGRATION_REDIS_PORT) {
    port = Number(process.env.INTEGRATION_REDIS_PORT)
  } else {
    server = await createServer({ port: 0, logger: memoryLogger() })
    port = server.port
  }
})

afterAll(async () => {
  await server?.close()
})

async function client() {
  const c = createClient({ url: `redis://127.0.0.1:${port}` })
  await c.connect()
  open.push(c)
  return c
}

afterEach(async () => {
  const c = await client()
  await c.flushAll()
  for (const o of open.splice(0)) o.destroy()
})

type Client = Awaited<ReturnType<typeof client>>

/** Waits until the server reports `n` clients blocked on keys. */
async function blockedClients(c: Client, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (new RegExp(`blocked_clients:${n}\\r?\\n`).test(await c.info('clients'))) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`never saw ${n} blocked clients`)
}

describe('data types through node-redis', () => {
  it('hashes, with the HSCAN iterator', async () => {
    const c = await client()
    expect(await c.hSet('h', { a: '1', b: '2', c: '3' })).toBe(3)
    expect(await c.hSetNX('h', 'a', 'x')).toBe(0)
    expect(await c.hGet('h', 'a')).toBe('1')
    expect(await c.hmGet('h', ['a', 'nope'])).toEqual(['1', null])
    expect({ ...(await c.hGetAll('h')) }).toEqual({ a: '1', b: '2', c: '3' })
    expect(await c.hIncrBy('h', 'a', 9)).toBe(10)
    expect(await c.hIncrByFloat('h', 'b', 0.25)).toBe('2.25')
    expect(await c.hExists('h', 'z')).toBe(0)
    expect(await c.hDel('h', ['c', 'z'])).toBe(1)
    expect(await c.hLen('h')).toBe(2)
    expect(await c.hStrLen('h', 'b')).toBe(4)
    const fields: string[] = []
    for await (const entries of c.hScanIterator('h', { COUNT: 1 })) {
      for (const e of entries) fields.push(`${e.field}=${e.value}`)
    }
    expect(fields.sort()).toEqual(['a=10', 'b=2.25'])
    const random = await c.hRandFieldCountWithValues('h', -3)
    expect(random).toHaveLength(3)
    for (const e of random) expect(['a', 'b']).toContain(e.field)
  })

  it('lists', async () => {
    const c = await client()
    expect(await c.rPush('l', ['a', 'b', 'c', 'b'])).toBe(4)
    expect(await c.lPos('l', 'b')).toBe(1)
    expect(await c.lPosCount('l', 'b', 0)).toEqual([1, 3])
    expect(await c.lRange('l', 1, -2)).toEqual(['b', 'c'])
    expect(await c.lInsert('l', 'AFTER', 'a', 'a2')).toBe(5)
    expect(await c.lMove('l', 'm', 'RIGHT', 'LEFT')).toBe('b')
    expect(await c.lmPop(['none', 'l'], 'LEFT', { COUNT: 2 })).toEqual(['l', ['a', 'a2']])
    expect(await c.lPop('l')).toBe('b')
    expect(await c.rPopCount('l', 5)).toEqual(['c'])
    expect(await c.exists('l')).toBe(0)
  })

  it('sets, with the SSCAN iterator', async () => {
    const c = await client()
    expect(await c.sAdd('s', ['1', '2', '3', 'x'])).toBe(4)
    expect(await c.sAdd('t', ['2', '3', '4'])).toBe(3)
    expect(await c.smIsMember('s', ['1', '9'])).toEqual([1, 0])
    expect((await c.sInter(['s', 't'])).sort()).toEqual(['2', '3'])
    expect(await c.sInterCard(['s', 't'])).toBe(2)
    expect(await c.sDiffStore('d', ['s', 't'])).toBe(2)
    expect((await c.sMembers('d')).sort()).toEqual(['1', 'x'])
    const members: string[] = []
    for await (const page of c.sScanIterator('s', { MATCH: '[0-9]' })) members.push(...page)
    expect(members.sort()).toEqual(['1', '2', '3'])
    expect(await c.sRandMemberCount('s', -10)).toHaveLength(10)
    expect(await c.sMove('s', 't', 'x')).toBe(1)
    expect(await c.sCard('t')).toBe(4)
  })

  it('sorted sets, with the ZSCAN iterator', async () => {
    const c = await client()
    expect(
      await c.zAdd('z', [
        { score: 1, value: 'a' },
        { score: 2, value: 'b' },
        { score: 3, value: 'c' },
      ]),
    ).toBe(3)
    expect(await c.zAdd('z', { score: 10, value: 'a' }, { comparison: 'GT', CH: true })).toBe(1)
    expect(await c.zIncrBy('z', 0.5, 'b')).toBe(2.5)
    expect(await c.zRange('z', 0, -1)).toEqual(['b', 'c', 'a'])
    expect(await c.zRange('z', '+inf', 3, { BY: 'SCORE', REV: true })).toEqual(['a', 'c'])
    expect(await c.zRangeWithScores('z', 0, 0)).toEqual([{ value: 'b', score: 2.5 }])
    expect(await c.zRank('z', 'a')).toBe(2)
    expect(await c.zScore('z', 'c')).toBe(3)
    expect(await c.zmScore('z', ['a', 'nope'])).toEqual([10, null])
    expect(await c.zCount('z', 3, '+inf')).toBe(2)
    expect(await c.zRangeStore('copy', 'z', 0, 1)).toBe(2)
    expect(await c.zUnionWithScores(['z', 'copy'])).toEqual(
      [
        { value: 'c', score: 6 },
        { value: 'b', score: 5 },
        { value: 'a', score: 10 },
      ].sort((x, y) => x.score - y.score),
    )
    expect(await c.zPopMax('z')).toEqual({ value: 'a', score: 10 })
    expect(await c.zmPop('z', 'MIN')).toEqual({ key: 'z', members: [{ value: 'b', score: 2.5 }] })
    const scanned: string[] = []
    for await (const page of c.zScanIterator('copy')) for (const m of page) scanned.push(`${m.value}:${m.score}`)
    expect(scanned.sort()).toEqual(['b:2.5', 'c:3'])
  })

  it('bitmaps and HyperLogLog', async () => {
    const c = await client()
    expect(await c.setBit('b', 100, 1)).toBe(0)
    expect(await c.getBit('b', 100)).toBe(1)
    expect(await c.bitCount('b')).toBe(1)
    expect(await c.bitPos('b', 1)).toBe(100)
    expect(
      await c.bitField('f', [
        { operation: 'SET', encoding: 'i8', offset: 0, value: 100 },
        { operation: 'OVERFLOW', behavior: 'SAT' },
        { operation: 'INCRBY', encoding: 'i8', offset: 0, increment: 100 },
      ]),
    ).toEqual([0, 127])
    expect(await c.bitOp('NOT', 'n', 'f')).toBe(1)
    expect(await c.pfAdd('h', ['a', 'b', 'c'])).toBe(1)
    expect(await c.pfCount('h')).toBe(3)
    expect(await c.pfMerge('m', ['h'])).toBe('OK')
    expect(await c.pfCount(['m', 'h'])).toBe(3)
  })

  it('pub/sub: channels and patterns, PUBSUB introspection', async () => {
    const c = await client()
    const subscriber = c.duplicate()
    await subscriber.connect()
    open.push(subscriber)
    const received: string[] = []
    const done = new Promise<void>((resolve) => {
      const push = (line: string) => {
        received.push(line)
        if (received.length === 3) resolve()
      }
      void subscriber.subscribe(['news', 'weather'], (message, channel) => push(`${channel}:${message}`))
      void subscriber.pSubscribe('w*', (message, channel) => push(`w* ${channel}:${message}`))
    })
    for (let i = 0; i < 100 && (await c.pubSubNumPat()) < 1; i++) await new Promise((r) => setTimeout(r, 5))
    expect((await c.pubSubChannels()).sort()).toEqual(['news', 'weather'])
    expect(await c.pubSubNumSub(['news', 'none'])).toEqual({ news: 1, none: 0 })
    expect(await c.publish('news', 'n1')).toBe(1)
    expect(await c.publish('weather', 'sun')).toBe(2)
    await done
    expect(received.sort()).toEqual(['news:n1', 'w* weather:sun', 'weather:sun'])
    await subscriber.unsubscribe(['news', 'weather'])
    await subscriber.pUnsubscribe('w*')
    expect(await c.publish('news', 'n2')).toBe(0)
  })

  it('blocking commands: served by another client in arrival order, or timing out', async () => {
    const c = await client()
    const w1 = c.duplicate()
    const w2 = c.duplicate()
    await w1.connect()
    await w2.connect()
    open.push(w1, w2)
    const first = w1.blPop('q', 0)
    await blockedClients(c, 1)
    const second = w2.brPop(['other', 'q'], 0)
    await blockedClients(c, 2)
    expect(await c.rPush('q', ['x', 'y'])).toBe(2)
    expect(await first).toEqual({ key: 'q', element: 'x' })
    expect(await second).toEqual({ key: 'q', element: 'y' })
    const zpop = w1.bzPopMin('zq', 0)
    await blockedClients(c, 1)
    await c.zAdd('zq', { score: 7, value: 'm' })
    expect(await zpop).toEqual({ key: 'zq', value: 'm', score: 7 })
    const moved = w2.blMove('src', 'dst', 'RIGHT', 'LEFT', 0)
    await blockedClients(c, 1)
    await c.lPush('src', 'v')
    expect(await moved).toBe('v')
    expect(await w1.blPop('empty', 0.05)).toBeNull()
    expect(await w1.blmPop(0.05, ['empty'], 'LEFT')).toBeNull()
    expect(await w1.bzPopMax('empty', 0.05)).toBeNull()
  })
})
