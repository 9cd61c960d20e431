import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import type { RespConnection } from '../../src/server/resp-connection.ts'
import { encodeCommand, RawClient } from '../differential/raw-client.ts'

let server: RedsimServer
const clients: RawClient[] = []

async function connect(): Promise<RawClient> {
  const c = await RawClient.connect(server.port)
  clients.push(c)
  return c
}

/** The server side of the most recently accepted connection. */
async function lastConnection(): Promise<RespConnection> {
  await until(() => server.connections.size > 0)
  return [...server.connections].at(-1)!
}

/** Polls until `predicate` holds (a wait, not a timing assertion: the test fails only if it never holds). */
async function until(predicate: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Waits until `read()` has returned the same value for a while: the server has stopped making progress. */
async function settled(read: () => number): Promise<number> {
  let last = -1
  let stableSince = Date.now()
  for (;;) {
    const now = read()
    if (now !== last) {
      last = now
      stableSince = Date.now()
    } else if (Date.now() - stableSince > 300) {
      return now
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeEach(async () => {
  server = await createServer({ port: 0, logger: memoryLogger() })
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await server.close()
})

describe('protocol errors over TCP', () => {
  const cases: Array<[string, string]> = [
    ['*x\r\n', 'invalid multibulk length'],
    ['*1\r\n$-5\r\n', 'invalid bulk length'],
    ['*1\r\nx\r\n', "expected '$', got 'x'"],
    ['ECHO "unterminated\r\n', 'unbalanced quotes in request'],
  ]
  for (const [input, reason] of cases) {
    it(`replies -ERR Protocol error: ${reason} and closes`, async () => {
      const c = await connect()
      c.send(input)
      expect((await c.readUntilClose()).toString('latin1')).toBe(`-ERR Protocol error: ${reason}\r\n`)
    })
  }

  it('answers the commands before the malformed bytes first', async () => {
    const c = await connect()
    c.send('*1\r\n$4\r\nPING\r\nECHO hi\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n')
    expect((await c.readUntilClose()).toString()).toBe(
      '+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid bulk length\r\n',
    )
  })

  it('too big inline request after 64 KB without a newline', async () => {
    const c = await connect()
    c.send(`SET k ${'v'.repeat(70 * 1024)}`)
    expect((await c.readUntilClose()).toString()).toBe('-ERR Protocol error: too big inline request\r\n')
  })

  it('keeps other connections working and forgets the closed client', async () => {
    const good = await connect()
    const bad = await connect()
    expect(await good.call('SET', 'k', 'v')).toBe('+OK\r\n')
    await until(() => server.engine.clients.size === 2, 'two clients')
    bad.send('*1\r\n$zz\r\n')
    await bad.readUntilClose()
    await until(() => server.engine.clients.size === 1, 'the bad client to be removed')
    expect(await good.call('GET', 'k')).toBe('$1\r\nv\r\n')
  })

  it('applies the unauthenticated limits until AUTH, and lifts them for the next command of the pipeline', async () => {
    await server.close()
    server = await createServer({ port: 0, requirepass: 'pw', logger: memoryLogger() })
    const tooMany = Array.from({ length: 12 }, (_, i) => `k${i}`)
    const a = await connect()
    a.send(encodeCommand(['EXISTS', ...tooMany.slice(1)]))
    expect((await a.readUntilClose()).toString()).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n')

    const b = await connect()
    b.send(Buffer.concat([encodeCommand(['AUTH', 'pw']), encodeCommand(['EXISTS', ...tooMany.slice(1)])]))
    expect((await b.readReply()).toString()).toBe('+OK\r\n')
    expect((await b.readReply()).toString()).toBe(':0\r\n')
  })

  it('rejects a bulk over 16 KB before AUTH', async () => {
    await server.close()
    server = await createServer({ port: 0, requirepass: 'pw', logger: memoryLogger() })
    const c = await connect()
    c.send('*2\r\n$4\r\nECHO\r\n$16385\r\n')
    expect((await c.readUntilClose()).toString()).toBe('-ERR Protocol error: unauthenticated bulk length\r\n')
  })
})

describe('QUIT', () => {
  it('replies +OK, closes, and runs nothing after it in the same pipeline', async () => {
    const c = await connect()
    c.send(Buffer.concat([encodeCommand(['QUIT']), encodeCommand(['SET', 'after', 'quit'])]))
    expect((await c.readUntilClose()).toString()).toBe('+OK\r\n')
    const d = await connect()
    expect(await d.call('EXISTS', 'after')).toBe(':0\r\n')
    await until(() => server.engine.clients.size === 1, 'the quitting client to be removed')
  })
})

describe('pipelining', () => {
  it('answers pipelined commands in order, in one write', async () => {
    const c = await connect()
    const commands = [encodeCommand(['SET', 'n', '0'])]
    for (let i = 0; i < 100; i++) commands.push(encodeCommand(['INCR', 'n']), encodeCommand(['ECHO', `e${i}`]))
    c.send(Buffer.concat(commands))
    const conn = await lastConnection()
    expect((await c.readReply()).toString()).toBe('+OK\r\n')
    for (let i = 0; i < 100; i++) {
      expect((await c.readReply()).toString()).toBe(`:${i + 1}\r\n`)
      expect((await c.readReply()).toString()).toBe(`$${`e${i}`.length}\r\ne${i}\r\n`)
    }
    expect(conn.stats.commands).toBe(201)
    // One batch per read of input: far fewer writes than replies.
    expect(conn.stats.writes).toBeLessThanOrEqual(conn.stats.reads)
  })

  it('keeps strict per-connection order with many interleaved connections', async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => connect()))
    conns.forEach((c, i) => {
      const batch: Buffer[] = []
      for (let j = 0; j < 200; j++) batch.push(encodeCommand(['APPEND', `log${i}`, `${j},`]))
      batch.push(encodeCommand(['GET', `log${i}`]))
      c.send(Buffer.concat(batch))
    })
    for (const [i, c] of conns.entries()) {
      let log = ''
      for (let j = 0; j < 200; j++) {
        log += `${j},`
        expect((await c.readReply()).toString()).toBe(`:${log.length}\r\n`)
      }
      expect((await c.readReply()).toString(), `connection ${i}`).toBe(`$${log.length}\r\n${log}\r\n`)
    }
  })

  it('round-trips a large binary value split across many packets', async () => {
    const c = await connect()
    const value = Buffer.alloc(3 * 1024 * 1024)
    for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff
    c.command('SET', 'big', value)
    expect((await c.readReply()).toString()).toBe('+OK\r\n')
    c.command('GET', 'big')
    const reply = await c.readReply()
    expect(reply.subarray(0, 10).toString()).toBe('$3145728\r\n')
    expect(reply.subarray(10, 10 + value.length).equals(value)).toBe(true)
  })
})

describe('backpressure', () => {
  it('stops running commands and reading while the client does not read its replies', async () => {
    const value = Buffer.alloc(512 * 1024, 'x')
    const setter = await connect()
    expect(await setter.call('SET', 'big', value)).toBe('+OK\r\n')

    const reader = await connect()
    reader.socketRaw.pause()
    const total = 120 // 60 MB of replies if the server buffered them all, far beyond the kernel's socket buffers
    const gets = Buffer.concat(Array.from({ length: total }, () => encodeCommand(['GET', 'big'])))
    reader.send(gets)
    const conn = await lastConnection()
    const ran = await settled(() => conn.stats.commands)
    expect(ran).toBeLessThan(total)
    expect(conn.isReadingPaused).toBe(true)
    // Bounded: a few replies in flight, not hundreds of megabytes.
    expect(conn.outputBufferBytes).toBeLessThan(16 * 1024 * 1024)

    // Once the client reads, everything arrives, in order.
    reader.socketRaw.resume()
    const header = Buffer.from(`$${value.length}\r\n`)
    for (let i = 0; i < total; i++) {
      const reply = await reader.readReply()
      expect(reply.length).toBe(header.length + value.length + 2)
    }
    expect(conn.stats.commands).toBe(total)
    expect(conn.isReadingPaused).toBe(false)
  })

  it('does not buffer unbounded input while a command waits', async () => {
    const c = await connect()
    const conn = await lastConnection()
    // Hold the database lock so the connection's first command cannot run; keep sending.
    const holder = server.engine.createClient('local')
    const lease = await server.engine.lock.acquire(holder)
    try {
      const batch = Buffer.concat(Array.from({ length: 2000 }, () => encodeCommand(['SET', 'k', 'v'.repeat(1000)])))
      c.send(batch) // ~2 MB
      await until(() => conn.isReadingPaused, 'reading to pause')
      expect(conn.queryBufferBytes).toBeLessThan(2 * 1024 * 1024)
      expect(conn.queryBufferCapacity).toBeLessThan(4 * 1024 * 1024)
    } finally {
      lease.release()
      server.engine.removeClient(holder)
    }
    for (let i = 0; i < 2000; i++) expect((await c.readReply()).toString()).toBe('+OK\r\n')
  })

  it('a hostile $536870912 header does not make the server allocate', async () => {
    const c = await connect()
    c.send('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\nonly a few bytes')
    const conn = await lastConnection()
    await until(() => conn.queryBufferBytes === 16, 'bytes to arrive')
    expect(conn.queryBufferCapacity).toBeLessThanOrEqual(32 * 1024)
  })
})

describe('disconnects', () => {
  it('removes a client that disconnects mid-command (partial input)', async () => {
    const c = await connect()
    expect(await c.call('PING')).toBe('+PONG\r\n')
    c.send('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab')
    const conn = await lastConnection()
    await until(() => conn.queryBufferBytes > 0, 'partial command to arrive')
    c.close()
    await until(() => server.engine.clients.size === 0, 'client removal')
    const d = await connect()
    expect(await d.call('EXISTS', 'k')).toBe(':0\r\n')
  })

  /** Holds the database lock (as a script would) while `during` runs, then releases it. */
  async function whileLocked(during: () => Promise<void>): Promise<void> {
    const holder = server.engine.createClient('local')
    const lease = await server.engine.lock.acquire(holder)
    try {
      await during()
    } finally {
      lease.release()
      server.engine.removeClient(holder)
    }
  }

  it('a reset connection is removed at once and its command waiting for the lock is dropped', async () => {
    const c = await connect()
    expect(await c.call('WATCH', 'w')).toBe('+OK\r\n')
    await whileLocked(async () => {
      c.command('SET', 'dropped', '1')
      await until(() => server.engine.lock.waiters.length === 1, 'the command to wait for the lock')
      c.socketRaw.resetAndDestroy()
      await until(() => server.engine.clients.size === 1, 'client removal while the lock is held')
      expect(server.engine.keyspace.db(0).watchers.size).toBe(0)
    })
    const d = await connect()
    expect(await d.call('EXISTS', 'dropped')).toBe(':0\r\n')
    expect(server.engine.clients.size).toBe(1)
  })

  it('a client that closes while its command waits is removed once the command finishes (as Redis reads EOF after)', async () => {
    const c = await connect()
    expect(await c.call('WATCH', 'w')).toBe('+OK\r\n')
    await whileLocked(async () => {
      c.command('SET', 'sent-before-close', '1')
      await until(() => server.engine.lock.waiters.length === 1, 'the command to wait for the lock')
      c.close()
      await c.closed
    })
    await until(() => server.engine.clients.size === 0, 'client removal')
    expect(server.engine.keyspace.db(0).watchers.size).toBe(0)
    const d = await connect()
    expect(await d.call('EXISTS', 'sent-before-close')).toBe(':1\r\n')
  })

  it('forgets MULTI state of a client that disconnects inside a transaction', async () => {
    const c = await connect()
    expect(await c.call('MULTI')).toBe('+OK\r\n')
    expect(await c.call('SET', 'never', '1')).toBe('+QUEUED\r\n')
    c.close()
    await until(() => server.engine.clients.size === 0, 'client removal')
    const d = await connect()
    expect(await d.call('EXISTS', 'never')).toBe(':0\r\n')
  })

  it('answers everything a half-closed client sent, then closes', async () => {
    const c = await connect()
    c.send(Buffer.concat([encodeCommand(['SET', 'h', '1']), encodeCommand(['INCR', 'h']), encodeCommand(['GET', 'h'])]))
    c.socketRaw.end()
    expect((await c.readUntilClose()).toString()).toBe('+OK\r\n:2\r\n$1\r\n2\r\n')
    await until(() => server.engine.clients.size === 0, 'client removal')
  })

  it('server close ends every connection', async () => {
    const c = await connect()
    expect(await c.call('PING')).toBe('+PONG\r\n')
    await server.close()
    await c.closed
    expect(server.engine.clients.size).toBe(0)
    server = await createServer({ port: 0, logger: memoryLogger() })
  })
})

describe('pub/sub over TCP', () => {
  it('delivers messages to a RESP2 subscriber, in order with its replies', async () => {
    const sub = await connect()
    const pub = await connect()
    sub.command('SUBSCRIBE', 'ch1', 'ch2')
    expect((await sub.readReply()).toString()).toBe('*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n')
    expect((await sub.readReply()).toString()).toBe('*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n')
    expect(await pub.call('PUBLISH', 'ch2', 'hello')).toBe(':1\r\n')
    expect(await pub.call('PUBLISH', 'nobody', 'x')).toBe(':0\r\n')
    expect(await pub.call('PUBLISH', 'ch1', Buffer.from([0, 13, 10]))).toBe(':1\r\n')
    expect((await sub.readReply()).toString()).toBe('*3\r\n$7\r\nmessage\r\n$3\r\nch2\r\n$5\r\nhello\r\n')
    expect((await sub.readReply()).toString('latin1')).toBe('*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$3\r\n\x00\r\n\r\n')
    expect(await sub.call('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n')
  })

  it('delivers RESP3 pushes', async () => {
    const sub = await connect()
    const pub = await connect()
    sub.command('HELLO', '3')
    await sub.readReply()
    sub.command('SUBSCRIBE', 'news')
    expect((await sub.readReply()).toString()).toBe('>3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n')
    expect(await pub.call('PUBLISH', 'news', 'n1')).toBe(':1\r\n')
    expect((await sub.readReply()).toString()).toBe('>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nn1\r\n')
    // RESP3 clients may run any command while subscribed.
    expect(await sub.call('SET', 'k', 'v')).toBe('+OK\r\n')
  })

  it('disconnects a subscriber that does not read once it passes the pub/sub output limit', async () => {
    const sub = await connect()
    const pub = await connect()
    expect(await sub.call('SUBSCRIBE', 'flood')).toBe('*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n')
    sub.socketRaw.pause()
    const message = Buffer.alloc(1024 * 1024, 'm')
    let delivered = 1
    for (let i = 0; i < 200 && delivered === 1; i++) {
      delivered = Number((await pub.call('PUBLISH', 'flood', message)).slice(1, -2))
    }
    // The subscriber was dropped (so later messages reach nobody) and the publisher is unaffected.
    await until(() => server.engine.clients.size === 1, 'the subscriber to be disconnected')
    expect(await pub.call('PUBLISH', 'flood', 'x')).toBe(':0\r\n')
    expect(await pub.call('PING')).toBe('+PONG\r\n')
  })
})

describe('blocked clients', () => {
  it('a client that sends FIN while blocked is freed at once and takes no data', async () => {
    const blocked = await connect()
    blocked.command('BLPOP', 'queue', '0')
    await until(() => server.engine.blocking.isBlocked([...server.engine.clients.values()][0]), 'the client to block')
    blocked.socketRaw.end()
    await until(() => server.engine.clients.size === 0, 'the blocked client to be freed')
    const pusher = await connect()
    expect(await pusher.call('RPUSH', 'queue', 'job')).toBe(':1\r\n')
    expect(await pusher.call('LLEN', 'queue')).toBe(':1\r\n')
  })
})
