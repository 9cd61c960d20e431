import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer
const open: Redis[] = []

let protocol: 2 | 3 = 3

function client(options: RedisOptions = {}): Redis {
  const r = new Redis({ port: server.port, host: '127.0.0.1', protocol, maxRetriesPerRequest: 1, ...options })
  open.push(r)
  return r
}

beforeAll(async () => {
  server = await createServer({ port: 0, logger: memoryLogger() })
})

afterEach(async () => {
  for (const r of open.splice(0)) r.disconnect()
  await client().flushall()
  for (const r of open.splice(0)) r.disconnect()
})

afterAll(async () => {
  await server.close()
})

// ioredis 6 speaks RESP3 (HELLO 3) unless told otherwise; run everything in both protocols.
describe.each([3, 2] as const)('ioredis (RESP%i) against redsim', (version) => {
  beforeAll(() => {
    protocol = version
  })

  it('connects (ready check) and runs simple commands', async () => {
    const r = client()
    expect(await r.ping()).toBe('PONG')
    expect(await r.set('greeting', 'hello')).toBe('OK')
    expect(await r.get('greeting')).toBe('hello')
    expect(await r.get('missing')).toBeNull()
    expect(await r.incr('counter')).toBe(1)
    expect(await r.incrby('counter', 41)).toBe(42)
  })

  it('pipelines: replies in order, errors in place', async () => {
    const r = client()
    const results = await r.pipeline().set('p', '1').incr('p').get('p').incr('greeting-missing').exec()
    expect(results).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
      [null, 1],
    ])
    await r.set('s', 'text')
    const withError = (await r.pipeline().incr('s').get('s').exec()) ?? []
    expect(withError[0][0]).toBeInstanceOf(Error)
    expect((withError[0][0] as Error).message).toBe('ERR value is not an integer or out of range')
    expect(withError[1]).toEqual([null, 'text'])
  })

  it('a long pipeline stays ordered', async () => {
    const r = client()
    const p = r.pipeline()
    for (let i = 0; i < 2000; i++) p.append('log', `${i};`)
    const results = await p.exec()
    let expectedLength = 0
    results?.forEach(([err, len], i) => {
      expectedLength += `${i};`.length
      expect(err).toBeNull()
      expect(len).toBe(expectedLength)
    })
  })

  it('MULTI/EXEC runs the queued commands and returns their replies', async () => {
    const r = client()
    const results = await r.multi().set('m', '10').incrby('m', 5).get('m').exec()
    expect(results).toEqual([
      [null, 'OK'],
      [null, 15],
      [null, '15'],
    ])
  })

  it('MULTI/EXEC reports runtime errors in place and keeps the other writes', async () => {
    const r = client()
    await r.set('text', 'abc')
    const results = (await r.multi().incr('text').set('after', 'yes').exec()) ?? []
    expect((results[0][0] as Error).message).toBe('ERR value is not an integer or out of range')
    expect(results[1]).toEqual([null, 'OK'])
    expect(await r.get('after')).toBe('yes')
  })

  it('WATCH: EXEC returns null when another connection modified the watched key', async () => {
    const a = client()
    const b = client()
    await a.set('balance', '100')
    await a.watch('balance')
    await b.set('balance', '50')
    const result = await a.multi().set('balance', '0').exec()
    expect(result).toBeNull()
    expect(await a.get('balance')).toBe('50')
  })

  it('WATCH: EXEC runs when nobody touched the key', async () => {
    const a = client()
    const b = client()
    await a.set('balance', '100')
    await a.watch('balance')
    await b.set('other', 'x')
    const result = await a.multi().decrby('balance', 30).exec()
    expect(result).toEqual([[null, 70]])
  })

  it('WATCH: expiring the watched key from another connection aborts EXEC', async () => {
    const a = client()
    const b = client()
    await a.set('w', '1')
    await a.watch('w')
    await b.expire('w', 1000)
    expect(await a.multi().get('w').exec()).toBeNull()
  })

  it('binary values survive unchanged', async () => {
    const r = client()
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const key = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a])
    expect(await r.set(key, value)).toBe('OK')
    expect((await r.getBuffer(key))?.equals(value)).toBe(true)
    expect(await r.strlen(key)).toBe(256)
    const big = Buffer.alloc(2 * 1024 * 1024)
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff
    await r.set('big', big)
    expect((await r.getBuffer('big'))?.equals(big)).toBe(true)
  })

  it('SELECT: databases are separate, per connection', async () => {
    const zero = client()
    const two = client({ db: 2 })
    await zero.set('where', 'zero')
    await two.set('where', 'two')
    expect(await zero.get('where')).toBe('zero')
    expect(await two.get('where')).toBe('two')
    expect(await zero.select(2)).toBe('OK')
    expect(await zero.get('where')).toBe('two')
    await expect(zero.select(16)).rejects.toThrow('ERR DB index is out of range')
  })

  it('pub/sub: a subscriber receives published messages', async () => {
    const sub = client()
    const pub = client()
    const received: Array<[string, string]> = []
    const got = new Promise<void>((resolve) => {
      sub.on('message', (channel: string, message: string) => {
        received.push([channel, message])
        if (received.length === 2) resolve()
      })
    })
    expect(await sub.subscribe('news', 'sport')).toBe(2)
    expect(await pub.publish('news', 'first')).toBe(1)
    expect(await pub.publish('sport', 'second')).toBe(1)
    await got
    expect(received).toEqual([
      ['news', 'first'],
      ['sport', 'second'],
    ])
  })

  it('errors reject with the Redis message', async () => {
    const r = client()
    await expect(r.call('NOSUCHCOMMAND', 'a')).rejects.toThrow(
      "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' ",
    )
    await expect(r.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command")
  })
})

describe('ioredis with requirepass', () => {
  it('authenticates with the password option (HELLO 3 AUTH) and is refused without it', async () => {
    const secured = await createServer({ port: 0, requirepass: 's3cret', logger: memoryLogger() })
    const good = new Redis({ port: secured.port, password: 's3cret', maxRetriesPerRequest: 1 })
    const bad = new Redis({ port: secured.port, protocol: 2, maxRetriesPerRequest: 1, enableReadyCheck: false })
    bad.on('error', () => {})
    try {
      expect(await good.set('k', 'v')).toBe('OK')
      await expect(bad.get('k')).rejects.toThrow('NOAUTH Authentication required.')
    } finally {
      good.disconnect()
      bad.disconnect()
      await secured.close()
    }
  })
})
