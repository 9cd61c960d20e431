/**
 * `client-output-buffer-limit`: parsed and printed as Redis 7.0 does (CONFIG SET of some classes keeps the others, all
 * or nothing, Redis's errors), and enforced on TCP connections: a client whose unsent output passes the hard limit of
 * its class, or stays past the soft limit for longer than the soft seconds, is closed with Redis's log line. Subscribers
 * that do not read and normal clients with a huge reply are checked against redsim's own process and redis-server.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { overOutputLimit } from '../../src/engine/output-buffer-limits.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { createServer } from '../../src/server/tcp-server.ts'
import { describeDifferential, differentialCases } from '../differential/harness.ts'
import { RawClient } from '../differential/raw-client.ts'
import { type RedisProcess, startRedis } from '../differential/redis-process.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

const DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'
const get = 'CONFIG GET client-output-buffer-limit'
const set = (value: string): string[] => ['CONFIG', 'SET', 'client-output-buffer-limit', value]

describeDifferential('differential: client-output-buffer-limit', (pair) => {
  differentialCases(pair, {
    'CONFIG SET changes the classes it names and prints all three': [
      get,
      set('normal 1mb 2k 3 pubsub 10 20 30'),
      get,
      set('NORMAL 1 2 +3'),
      set('replica 1 2 3'),
      get,
      set('pubsub 1 2 3 pubsub 4 5 6'),
      set('normal 5 2 03'),
      set('normal 1 2 99999999999'),
      get,
      set(''),
      get,
      set(DEFAULT),
      get,
    ],
    'invalid values change nothing': [
      set('normal 1 2'),
      set('normal  1 2 3'),
      set('normal 1 2 3 '),
      set('foo 1 2 3'),
      set('replica 1 2 3 master 4 5 6'),
      set('normal a 2 3'),
      set('normal 1 2 -3'),
      set('normal 5 -2 3'),
      set('normal 5 2.5 3'),
      set('normal 1 2 3 pubsub 1 2 x'),
      set('normal 1 2 2147483648'),
      get,
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 3', 'timeout', 'x'],
      get,
    ],
  })
})

describe('the soft limit over time', () => {
  const limit = { hard: 1000, soft: 100, softSeconds: 2 }
  it('closes only after the soft limit has been passed continuously for more than its seconds', () => {
    let state = overOutputLimit(limit, 150, 50, 0)
    expect(state).toEqual({ close: false, softSince: 50 })
    state = overOutputLimit(limit, 150, 52, state.softSince)
    expect(state).toEqual({ close: false, softSince: 50 })
    // Back under the soft limit: the clock starts again.
    state = overOutputLimit(limit, 10, 53, state.softSince)
    expect(state).toEqual({ close: false, softSince: 0 })
    state = overOutputLimit(limit, 150, 60, state.softSince)
    expect(state.close).toBe(false)
    expect(overOutputLimit(limit, 150, 63, state.softSince).close).toBe(true)
    expect(overOutputLimit(limit, 1000, 60, 0).close).toBe(true)
    expect(overOutputLimit({ hard: 0, soft: 0, softSeconds: 0 }, 1e12, 60, 0).close).toBe(false)
  })
})

/**
 * A subscriber that does not read: its socket is paused, so output piles up in the server. (Being paused, it does
 * not see the server's close either: PUBLISH's count of receivers tells when it is gone.)
 */
async function deafSubscriber(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write('*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n')
  await new Promise((resolve) => socket.once('data', resolve))
  socket.pause()
  return socket
}

/**
 * Publishes 256 KB messages to `c` until no subscriber receives them any more (the one subscriber was closed) or
 * `max` messages were sent; returns how many were sent, or null if the subscriber was still there after `max`.
 */
async function publishUntilClosed(publisher: RawClient, max: number, pauseMs = 0): Promise<number | null> {
  const message = 'm'.repeat(256 * 1024)
  for (let i = 1; i <= max; i++) {
    const receivers = await publisher.call('PUBLISH', 'c', message)
    if (receivers === ':0\r\n') return i
    expect(receivers).toBe(':1\r\n')
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
  return null
}

/** Each case runs against redis-server and against redsim's own process and holds both to the same outcome. */
describe('output buffer limits enforced', () => {
  let redsim: ServerProcess | null = null
  let redis: RedisProcess | null = null
  const sockets: net.Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await redsim?.stop()
    await redis?.stop()
    redsim = null
    redis = null
  })

  async function bothServers(): Promise<Array<{ name: string; port: number }>> {
    redsim = await startServerProcess([])
    redis = await startRedis()
    return [
      { name: 'redis', port: redis.port },
      { name: 'redsim', port: redsim.port },
    ]
  }

  it('closes a subscriber that does not read once its output passes the pubsub hard limit', async () => {
    for (const { name, port } of await bothServers()) {
      const admin = await RawClient.connect(port)
      expect(await admin.call(...set('pubsub 1mb 0 0'))).toBe('+OK\r\n')
      const subscriber = await deafSubscriber(port)
      sockets.push(subscriber)
      // The kernel's socket buffers take some megabytes first; 400 messages are 100 MB.
      const sent = await publishUntilClosed(admin, 400)
      expect({ name, closed: sent !== null }).toEqual({ name, closed: true })
      expect(await admin.call('PING')).toBe('+PONG\r\n')
      // Without limits for the class, the same 100 MB (more than the former fixed 32 MB limit plus what the kernel
      // takes) leave the subscriber connected.
      expect(await admin.call(...set('pubsub 0 0 0'))).toBe('+OK\r\n')
      const unlimited = await deafSubscriber(port)
      sockets.push(unlimited)
      expect({ name, sent: await publishUntilClosed(admin, 400) }).toEqual({ name, sent: null })
      unlimited.destroy()
      admin.close()
    }
    expect(redsim!.stderr()).toMatch(
      /Client id=\d+ addr=127\.0\.0\.1:\d+ .*flags=P .*sub=1 .* scheduled to be closed ASAP for overcoming of output buffer limits\./,
    )
  })

  it('closes a normal client whose reply passes the normal hard limit, sending it nothing', async () => {
    for (const { name, port } of await bothServers()) {
      const admin = await RawClient.connect(port)
      expect(await admin.call('SET', 'big', 'x'.repeat(4 * 1024 * 1024))).toBe('+OK\r\n')
      expect(await admin.call(...set('normal 256kb 0 0'))).toBe('+OK\r\n')
      const reader = await RawClient.connect(port)
      expect(await reader.call('GET', 'small')).toBe('$-1\r\n')
      reader.send('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n')
      const received = await reader.readUntilClose(10_000)
      expect({ name, received: received.length }).toEqual({ name, received: 0 })
      expect(await admin.call(...set('normal 0 0 0'))).toBe('+OK\r\n')
      admin.close()
    }
  })

  it('closes a subscriber only once it has stayed past the soft limit for more than the soft seconds', async () => {
    // In-process, on a manual clock: the seconds are the engine's, so the moment of closing is exact.
    const clock = new ManualClock()
    const server = await createServer({
      port: 0,
      clock,
      logger: memoryLogger(),
      config: { 'client-output-buffer-limit': 'pubsub 0 1mb 1' },
    })
    try {
      const subscriber = await deafSubscriber(server.port)
      sockets.push(subscriber)
      const publisher = new LocalConnection(server.engine)
      const [connection] = [...server.connections]
      const message = 'm'.repeat(256 * 1024)
      // Past the soft limit (once the kernel's buffers are full): the soft limit's clock starts, nothing is closed.
      for (let i = 0; connection.outputBufferBytes < 2 * 1024 * 1024; i++) {
        expect(i).toBeLessThan(2000)
        expect(await publisher.call('PUBLISH', 'c', message)).toBe(1)
        await new Promise((resolve) => setImmediate(resolve))
      }
      clock.advance(1000)
      expect(await publisher.call('PUBLISH', 'c', message)).toBe(1)
      await new Promise((resolve) => setImmediate(resolve))
      expect(server.connections.size).toBe(1)
      // More than one second past it: closed on the next message.
      clock.advance(1000)
      expect(await publisher.call('PUBLISH', 'c', message)).toBe(1)
      await new Promise((resolve) => setImmediate(resolve))
      expect(server.connections.size).toBe(0)
      expect(await publisher.call('PUBLISH', 'c', message)).toBe(0)
    } finally {
      await server.close()
    }
  })
})
