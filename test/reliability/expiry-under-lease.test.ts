/**
 * Nothing writes the keyspace without the lease: the periodic expiry pass takes the lock as an actor and is skipped
 * while a script or EXEC holds it, and a write from anywhere else fails loudly. Over TCP, a key whose TTL runs out
 * while a busy script runs stays visible to that script, as in Redis (the script sees time stand still at its start,
 * and no expiry cycle runs while it is busy).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { LeaseError } from '../../src/engine/lock.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { RawClient } from '../differential/raw-client.ts'

let server: RedsimServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

describe('the keyspace refuses writes without the lease', () => {
  it('a write from outside any command throws; the same write through Engine.direct is accepted', () => {
    const engine = new Engine({ logger: memoryLogger() })
    const db = engine.keyspace.db(0)
    expect(() => db.set('k', Buffer.from('v'))).toThrow(LeaseError)
    expect(() => db.delete('k')).toThrow(LeaseError)
    expect(() => engine.keyspace.flushAll()).toThrow(LeaseError)
    engine.direct(() => db.set('k', Buffer.from('v')))
    expect(engine.direct(() => db.has('k'))).toBe(true)
  })

  it('lazy expiry on a read outside a command is a write too, and is refused', () => {
    const clock = new ManualClock()
    const engine = new Engine({ clock, logger: memoryLogger() })
    const db = engine.keyspace.db(0)
    engine.direct(() => {
      db.set('k', Buffer.from('v'))
      db.setExpire('k', clock.now() + 10)
    })
    clock.advance(11)
    expect(() => db.get('k')).toThrow(LeaseError)
  })

  it('the expiry pass is skipped while someone holds the lock, and runs once it is free', async () => {
    const clock = new ManualClock()
    const engine = new Engine({ clock, logger: memoryLogger() })
    const conn = new LocalConnection(engine)
    await conn.call('SET', 'k', 'v', 'PX', '10')
    clock.advance(11)
    const lease = engine.lock.tryAcquire({ id: 999, name: 'holder' })!
    expect(engine.runCron()).toBeNull()
    expect(engine.keyspace.db(0).table.has('k')).toBe(true)
    lease.release()
    expect(engine.runCron()).toBe(1)
    expect(engine.keyspace.db(0).table.has('k')).toBe(false)
  })
})

describe('active expiry and a busy script over TCP', () => {
  it('a key expiring while a busy script runs stays visible to that script (redis-server: v, v, 1)', async () => {
    server = await createServer({ port: 0, logger: memoryLogger(), config: { hz: '100' } })
    const c = await RawClient.connect(server.port)
    expect(await c.call('CONFIG', 'SET', 'busy-reply-threshold', '10')).toBe('+OK\r\n')
    expect(await c.call('SET', 'k', 'v', 'PX', '200')).toBe('+OK\r\n')
    // Busy for 600 ms of wall time (TIME inside the script): the TTL runs out, the cron fires dozens of times.
    const script =
      "local a = redis.call('GET', KEYS[1]) " +
      "local t0 = redis.call('TIME') local x = 0 " +
      "repeat local t = redis.call('TIME') x = (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) until x > 600000 " +
      "local b = redis.call('GET', KEYS[1]) " +
      "return {a or 'nil', b or 'nil', redis.call('EXISTS', KEYS[1])}"
    expect(await c.call('EVAL', script, '1', 'k')).toBe('*3\r\n$1\r\nv\r\n$1\r\nv\r\n:1\r\n')
    // Once the script is done, the expired key goes.
    expect(await c.call('EXISTS', 'k')).toBe(':0\r\n')
  })
})
