/**
 * BZPOPMIN, BZPOPMAX, BZMPOP waiting for data. Expected replies are what redis-server 7.0.15 sent in the same
 * situations (two clients blocked on one key, data arriving inside EXEC, RESP3, timeouts).
 */
import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

/** Sends a command without awaiting it; `text()` is its reply once it came. */
function track(conn: LocalConnection, ...args: string[]): { done: () => boolean; text: () => string } {
  let reply: Reply | undefined
  let finished = false
  void conn.call(...args).then((r) => {
    reply = r
    finished = true
  })
  return {
    done: () => finished,
    text: () => (finished ? respText(reply as Reply, conn.client.protocol) : '(pending)'),
  }
}

describe('blocking sorted set pops', () => {
  it('serve waiting clients in arrival order, lowest score first, without holding the lock', async () => {
    const { engine, connect } = testEngine()
    const [a, b, writer] = [connect(), connect(), connect()]
    const first = track(a, 'BZPOPMIN', 'z', '0')
    await settle()
    const second = track(b, 'BZPOPMIN', 'z', '0')
    await settle()
    expect(first.done()).toBe(false)
    expect(engine.lock.holder).toBe(null)
    expect(respText(await writer.call('ZADD', 'z', '2', 'b', '1', 'a'))).toBe(':2\r\n')
    await settle()
    expect(first.text()).toBe('*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n')
    expect(second.text()).toBe('*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n')
    expect(respText(await writer.call('EXISTS', 'z'))).toBe(':0\r\n')
  })

  it('BZMPOP is served from the key that became ready first, after the whole EXEC', async () => {
    const { connect } = testEngine()
    const [a, writer] = [connect(), connect()]
    const pop = track(a, 'BZMPOP', '0', '2', 'k1', 'k2', 'MIN', 'COUNT', '2')
    await settle()
    await writer.call('MULTI')
    await writer.call('ZADD', 'k2', '1', 'x', '2', 'y', '3', 'z')
    await writer.call('ZADD', 'k1', '1', 'q')
    expect(respText(await writer.call('EXEC'))).toBe('*2\r\n:3\r\n:1\r\n')
    await settle()
    expect(pop.text()).toBe('*2\r\n$2\r\nk2\r\n*2\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n')
    expect(respText(await writer.call('ZCARD', 'k1'))).toBe(':1\r\n')
  })

  it('answers a RESP3 client with a double, and times out with a nil on the engine clock', async () => {
    const { engine, clock, connect } = testEngine()
    const [a, writer] = [connect(), connect()]
    await a.call('HELLO', '3')
    const pop = track(a, 'BZPOPMAX', 'm', '0')
    await settle()
    await writer.call('ZADD', 'm', '1.5', 'v')
    await settle()
    expect(pop.text()).toBe('*3\r\n$1\r\nm\r\n$1\r\nv\r\n,1.5\r\n')
    const timed = track(a, 'BZPOPMIN', 't', '0.05')
    await settle()
    clock.advance(49)
    engine.runDueTimers()
    await settle()
    expect(timed.done()).toBe(false)
    clock.advance(1)
    engine.runDueTimers()
    await settle()
    expect(timed.text()).toBe('_\r\n')
  })

  it('waits for a sorted set: a string stored at the key does not serve it', async () => {
    const { connect } = testEngine()
    const [a, writer] = [connect(), connect()]
    const pop = track(a, 'BZPOPMIN', 's', '0')
    await settle()
    await writer.call('SET', 's', 'x')
    await settle()
    expect(pop.done()).toBe(false)
    await writer.call('DEL', 's')
    await writer.call('ZADD', 's', '1', 'm')
    await settle()
    expect(pop.text()).toBe('*3\r\n$1\r\ns\r\n$1\r\nm\r\n$1\r\n1\r\n')
  })

  it('does not block inside MULTI: a nil array, as the non-blocking form would answer', async () => {
    const t = testEngine()
    await t.conn.call('MULTI')
    await t.conn.call('BZPOPMIN', 'nokey', '0')
    await t.conn.call('BZMPOP', '0', '1', 'nokey', 'MIN')
    expect(await t.resp('EXEC')).toBe('*2\r\n*-1\r\n*-1\r\n')
  })
})
