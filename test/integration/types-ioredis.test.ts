/**
 * Each data type through ioredis over TCP (RESP2 and RESP3): hashes, lists, sets, sorted sets, bitmaps,
 * HyperLogLog, SCAN iterators, and blocking commands served by another client's push or timing out. The expected
 * values are what redis-server 7.0.15 answers through the same client.
 */
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer | undefined
let port = 0
const open: Redis[] = []

// INTEGRATION_REDIS_PORT=N runs the same expectations against a redis-server on port N (to check them).
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

/** Collects every element a SCAN-family stream yields. */
async function drain(stream: NodeJS.ReadableStream): Promise<string[]> {
  const all: string[] = []
  for await (const page of stream as AsyncIterable<string[]>) all.push(...page)
  return all
}

/** Waits until the server reports `n` clients blocked on keys. */
async function blockedClients(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await r.info('clients')
    if (new RegExp(`blocked_clients:${n}\\r?\\n`).test(info)) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`never saw ${n} blocked clients`)
}

describe.each([2, 3] as const)('data types through ioredis (RESP%i)', (protocol) => {
  function client(): Redis {
    const r = new Redis({ port, host: '127.0.0.1', protocol, maxRetriesPerRequest: 1 })
    open.push(r)
    return r
  }

  afterEach(async () => {
    const r = client()
    await r.flushall()
    for (const c of open.splice(0)) c.disconnect()
  })

  it('hashes', async () => {
    const r = client()
    expect(await r.hset('h', 'a', '1', 'b', '2')).toBe(2)
    expect(await r.hset('h', { c: '3' })).toBe(1)
    expect(await r.hsetnx('h', 'a', 'x')).toBe(0)
    expect(await r.hget('h', 'a')).toBe('1')
    expect(await r.hmget('h', 'a', 'nope', 'c')).toEqual(['1', null, '3'])
    expect(await r.hgetall('h')).toEqual({ a: '1', b: '2', c: '3' })
    expect(await r.hincrby('h', 'a', 41)).toBe(42)
    expect(await r.hincrbyfloat('h', 'b', '0.5')).toBe('2.5')
    expect(await r.hstrlen('h', 'b')).toBe(3)
    expect(await r.hexists('h', 'c')).toBe(1)
    expect((await r.hkeys('h')).sort()).toEqual(['a', 'b', 'c'])
    expect((await r.hvals('h')).sort()).toEqual(['2.5', '3', '42'])
    expect(await r.hdel('h', 'c', 'nope')).toBe(1)
    expect(await r.hlen('h')).toBe(2)
    expect(['a', 'b']).toContain(await r.hrandfield('h'))
    expect((await drain(r.hscanStream('h', { count: 1 }))).sort()).toEqual(['2.5', '42', 'a', 'b'])
    await expect(r.hincrby('h', 'b', 1)).rejects.toThrow('ERR hash value is not an integer')
    await r.set('s', 'x')
    await expect(r.hget('s', 'a')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value')
  })

  it('lists', async () => {
    const r = client()
    expect(await r.rpush('l', 'a', 'b', 'c')).toBe(3)
    expect(await r.lpush('l', 'z')).toBe(4)
    expect(await r.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c'])
    expect(await r.lindex('l', -1)).toBe('c')
    expect(await r.lset('l', 1, 'A')).toBe('OK')
    expect(await r.linsert('l', 'BEFORE', 'b', 'ab')).toBe(5)
    expect(await r.lpos('l', 'b')).toBe(3)
    expect(await r.lrem('l', 0, 'ab')).toBe(1)
    expect(await r.ltrim('l', 0, 2)).toBe('OK')
    expect(await r.lpop('l', 2)).toEqual(['z', 'A'])
    expect(await r.rpoplpush('l', 'm')).toBe('b')
    expect(await r.lmove('m', 'l', 'LEFT', 'RIGHT')).toBe('b')
    expect(await r.lmpop(1, 'l', 'LEFT', 'COUNT', 5)).toEqual(['l', ['b']])
    expect(await r.llen('l')).toBe(0)
    expect(await r.exists('l')).toBe(0)
    expect(await r.lpushx('l', 'x')).toBe(0)
    expect(await r.rpop('l')).toBeNull()
  })

  it('sets', async () => {
    const r = client()
    expect(await r.sadd('s1', 'a', 'b', 'c')).toBe(3)
    expect(await r.sadd('s2', 'b', 'c', 'd')).toBe(3)
    expect((await r.smembers('s1')).sort()).toEqual(['a', 'b', 'c'])
    expect(await r.sismember('s1', 'a')).toBe(1)
    expect(await r.smismember('s1', 'a', 'x')).toEqual([1, 0])
    expect((await r.sinter('s1', 's2')).sort()).toEqual(['b', 'c'])
    expect((await r.sunion('s1', 's2')).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(await r.sdiff('s1', 's2')).toEqual(['a'])
    expect(await r.sintercard(2, 's1', 's2')).toBe(2)
    expect(await r.sunionstore('u', 's1', 's2')).toBe(4)
    expect(await r.smove('s1', 's2', 'a')).toBe(1)
    expect(await r.scard('s2')).toBe(4)
    expect((await drain(r.sscanStream('u', { count: 1 }))).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(['b', 'c']).toContain(await r.srandmember('s1'))
    expect((await r.spop('s1', 10)).sort()).toEqual(['b', 'c'])
    expect(await r.exists('s1')).toBe(0)
    expect(await r.srem('s2', 'a', 'zz')).toBe(1)
  })

  it('sorted sets', async () => {
    const r = client()
    expect(await r.zadd('z', 1, 'a', 2, 'b', 3, 'c')).toBe(3)
    expect(await r.zadd('z', 'GT', 'CH', 0, 'a', 5, 'b')).toBe(1)
    expect(await r.zadd('z', 'INCR', 1.5, 'a')).toBe('2.5')
    expect(await r.zincrby('z', 1, 'c')).toBe('4')
    expect(await r.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['a', '2.5', 'c', '4', 'b', '5'])
    expect(await r.call('ZRANGE', 'z', '(3', '+inf', 'BYSCORE', 'LIMIT', '0', '1')).toEqual(['c'])
    expect(await r.zrevrange('z', 0, 0)).toEqual(['b'])
    expect(await r.zrangebyscore('z', 2, 4)).toEqual(['a', 'c'])
    expect(await r.zrank('z', 'c')).toBe(1)
    expect(await r.zrevrank('z', 'c')).toBe(1)
    expect(await r.zscore('z', 'nope')).toBeNull()
    expect(await r.zmscore('z', 'a', 'nope')).toEqual(['2.5', null])
    expect(await r.zcount('z', '-inf', '(5')).toBe(2)
    await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c')
    expect(await r.zrangebylex('lex', '[b', '+')).toEqual(['b', 'c'])
    expect(await r.zlexcount('lex', '-', '(c')).toBe(2)
    expect(await r.zunionstore('u', 2, 'z', 'lex', 'WEIGHTS', 1, 2)).toBe(3)
    expect(await r.zinter(2, 'z', 'u', 'WITHSCORES')).toEqual(['a', '5', 'c', '8', 'b', '10'])
    await r.zadd('lex', 0, 'd')
    expect(await r.zdiff(2, 'lex', 'z')).toEqual(['d'])
    expect(await r.zintercard(2, 'z', 'u', 'LIMIT', 1)).toBe(1)
    expect(await r.zpopmin('z')).toEqual(['a', '2.5'])
    expect(await r.zmpop(1, 'z', 'MAX')).toEqual(['z', [['b', '5']]])
    expect(await r.zremrangebyscore('u', '-inf', 3)).toBe(1)
    expect(await r.zcard('u')).toBe(2)
    expect((await drain(r.zscanStream('u'))).sort()).toEqual(['4', '5', 'b', 'c'])
  })

  it('bitmaps and HyperLogLog', async () => {
    const r = client()
    expect(await r.setbit('b', 7, 1)).toBe(0)
    expect(await r.getbit('b', 7)).toBe(1)
    expect(await r.bitcount('b')).toBe(1)
    expect(await r.bitpos('b', 1)).toBe(7)
    await r.set('x', 'foobar')
    expect(await r.bitop('XOR', 'dst', 'b', 'x')).toBe(6)
    expect(await r.bitfield('bf', 'SET', 'u8', 0, 255)).toEqual([0])
    expect(await r.call('BITFIELD', 'bf', 'INCRBY', 'u8', '0', '10', 'GET', 'i8', '0')).toEqual([9, 9])
    expect(await r.bitfield_ro('bf', 'GET', 'u4', 0)).toEqual([0])
    expect(await r.pfadd('h1', 'a', 'b', 'c')).toBe(1)
    expect(await r.pfadd('h2', 'c', 'd')).toBe(1)
    expect(await r.pfcount('h1', 'h2')).toBe(4)
    expect(await r.pfmerge('h3', 'h1', 'h2')).toBe('OK')
    expect(await r.pfcount('h3')).toBe(4)
    await expect(r.pfcount('x')).rejects.toThrow('WRONGTYPE Key is not a valid HyperLogLog string value.')
  })

  it('SORT, OBJECT ENCODING and the encoding thresholds', async () => {
    const r = client()
    await r.rpush('l', '3', '1', '2')
    await r.mset('w_1', '30', 'w_2', '20', 'w_3', '10')
    expect(await r.sort('l')).toEqual(['1', '2', '3'])
    expect(await r.sort('l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*')).toEqual(['3', '10', '2', '20', '1', '30'])
    expect(await r.sort('l', 'DESC', 'STORE', 'out')).toBe(3)
    expect(await r.lrange('out', 0, -1)).toEqual(['3', '2', '1'])
    expect(await r.config('SET', 'hash-max-ziplist-entries', '1')).toBe('OK')
    await r.hset('small', 'a', '1')
    expect(await r.object('ENCODING', 'small')).toBe('listpack')
    await r.hset('small', 'b', '1')
    expect(await r.object('ENCODING', 'small')).toBe('hashtable')
    expect(await r.config('SET', 'hash-max-ziplist-entries', '512')).toBe('OK')
    expect(await r.config('GET', 'hash-max-listpack-entries')).toEqual(['hash-max-listpack-entries', '512'])
  })

  it('BLPOP and BZPOPMIN are served by another client, first come first served', async () => {
    const first = client()
    const second = client()
    const pusher = client()
    const a = first.blpop('queue', 0)
    await blockedClients(pusher, 1)
    const b = second.blpop('queue', 0)
    await blockedClients(pusher, 2)
    expect(await pusher.rpush('queue', 'one', 'two')).toBe(2)
    expect(await a).toEqual(['queue', 'one'])
    expect(await b).toEqual(['queue', 'two'])
    const z = first.bzpopmin('zq', 'other', 0)
    await blockedClients(pusher, 1)
    await pusher.zadd('other', 2, 'm', 1, 'n')
    expect(await z).toEqual(['other', 'n', '1'])
  })

  it('BLMOVE served by a push inside MULTI/EXEC, and blocking commands time out', async () => {
    const waiter = client()
    const pusher = client()
    const moved = waiter.blmove('src', 'dst', 'LEFT', 'RIGHT', 0)
    await blockedClients(pusher, 1)
    expect(await pusher.multi().rpush('src', 'x').llen('src').exec()).toEqual([
      [null, 1],
      [null, 1],
    ])
    expect(await moved).toBe('x')
    expect(await pusher.lrange('dst', 0, -1)).toEqual(['x'])
    expect(await waiter.brpop('nothing', 0.05)).toBeNull()
    expect(await waiter.blmpop(0.05, 1, 'nothing', 'LEFT')).toBeNull()
    expect(await waiter.bzpopmax('nothing', 0.05)).toBeNull()
    // Inside MULTI a blocking command does not block: it answers at once.
    expect(await waiter.multi().blpop('nothing', 0).exec()).toEqual([[null, null]])
  })
})
