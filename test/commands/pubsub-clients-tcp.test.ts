/**
 * Pub/sub over TCP with real client libraries (ioredis in RESP2 and RESP3, node-redis), and the sorted set, bitmap
 * and HyperLogLog replies as those libraries decode them.
 */
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer

beforeAll(async () => {
  server = await createServer({ port: 0, logger: memoryLogger() })
})

afterAll(async () => {
  await server.close()
})

/** Resolves with the first `count` values `subscribe` collects. */
function collect<T>(count: number, subscribe: (push: (value: T) => void) => void): Promise<T[]> {
  return new Promise((resolve) => {
    const got: T[] = []
    subscribe((value) => {
      got.push(value)
      if (got.length === count) resolve(got)
    })
  })
}

describe.each([2, 3] as const)('ioredis (RESP%i)', (protocol) => {
  it('receives channel and pattern messages, and leaves subscribed mode', async () => {
    const sub = new Redis({ port: server.port, host: '127.0.0.1', protocol, lazyConnect: true })
    const pub = new Redis({ port: server.port, host: '127.0.0.1', protocol, lazyConnect: true })
    await sub.connect()
    await pub.connect()
    try {
      const messages = collect<string>(3, (push) => {
        sub.on('message', (channel: string, message: string) => push(`message ${channel} ${message}`))
        sub.on('pmessage', (pattern: string, channel: string, message: string) =>
          push(`pmessage ${pattern} ${channel} ${message}`),
        )
      })
      expect(await sub.subscribe('news', 'sport')).toBe(2)
      expect(await sub.psubscribe('n*')).toBe(3)
      expect(await pub.publish('news', 'hello')).toBe(2)
      expect(await pub.publish('sport', 'goal')).toBe(1)
      expect((await messages).sort()).toEqual(['message news hello', 'message sport goal', 'pmessage n* news hello'])
      expect(await pub.pubsub('NUMSUB', 'news', 'none')).toEqual(['news', 1, 'none', 0])
      // Named: ioredis resolves an argument-less (P)UNSUBSCRIBE only once the count reaches 0 (so with redis-server).
      expect(await sub.punsubscribe('n*')).toBe(2)
      expect(await sub.unsubscribe('news', 'sport')).toBe(0)
      expect(await sub.ping()).toBe('PONG')
      expect(await pub.publish('news', 'again')).toBe(0)
    } finally {
      sub.disconnect()
      pub.disconnect()
    }
  })

  it('decodes sorted set, bitmap and HyperLogLog replies', async () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', protocol, lazyConnect: true })
    await r.connect()
    try {
      await r.del('z', 'b', 'h')
      expect(await r.zadd('z', '1.5', 'a', '2', 'b')).toBe(2)
      // ioredis hands both protocols' replies to callers in the RESP2 shape (checked against redis-server 7.0.15).
      expect(await r.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['a', '1.5', 'b', '2'])
      expect(await r.zscore('z', 'a')).toBe('1.5')
      expect(await r.setbit('b', 9, 1)).toBe(0)
      expect(await r.bitcount('b')).toBe(1)
      expect(await r.pfadd('h', 'x', 'y', 'z')).toBe(1)
      expect(await r.pfcount('h')).toBe(3)
    } finally {
      r.disconnect()
    }
  })
})

describe('node-redis', () => {
  it('subscribes on a dedicated connection and receives messages', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${server.port}` })
    await client.connect()
    const subscriber = client.duplicate()
    await subscriber.connect()
    try {
      const received = collect<string>(2, (push) => {
        void subscriber.subscribe('ch', (message: string, channel: string) => push(`${channel}:${message}`))
        void subscriber.pSubscribe('c*', (message: string, channel: string) => push(`p ${channel}:${message}`))
      })
      // Wait until both subscriptions are registered before publishing.
      for (let i = 0; i < 50 && Number(await client.sendCommand(['PUBSUB', 'NUMPAT'])) < 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(await client.publish('ch', 'hi')).toBe(2)
      expect((await received).sort()).toEqual(['ch:hi', 'p ch:hi'])
      expect(
        await client.zAdd('nz', [
          { score: 2, value: 'b' },
          { score: 1, value: 'a' },
        ]),
      ).toBe(2)
      expect(await client.zRangeWithScores('nz', 0, -1)).toEqual([
        { value: 'a', score: 1 },
        { value: 'b', score: 2 },
      ])
    } finally {
      await subscriber.quit()
      await client.quit()
    }
  })
})
