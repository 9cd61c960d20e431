/**
 * Blocked clients: waiting without the lock, FIFO serving after the writing command / EXEC, timeouts on the manual
 * clock, disconnects. Expected replies match what redis-server 7.0.15 sends in the same situations.
 */
import { describe, expect, it } from 'vitest'
import type { Actor, SchedulingSeam } from '../../src/engine/seam.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

/** Lets pending microtasks and promise chains run (the executor's continuations after a serve). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

/** Sends a command and tracks its reply without awaiting it. */
function track(conn: LocalConnection, ...args: string[]): { done: () => boolean; text: () => string } {
  let reply: Reply | undefined
  let finished = false
  void conn.call(...args).then((r) => {
    reply = r
    finished = true
  })
  return { done: () => finished, text: () => (finished ? respText(reply as Reply) : '(pending)') }
}

describe('blocking list commands', () => {
  it('BLPOP waits without holding the lock and is served by another client push', async () => {
    const { engine, conn, connect } = testEngine()
    const other = connect()
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    expect(blpop.done()).toBe(false)
    expect(engine.lock.holder).toBe(null)
    expect(engine.blocking.blockedClients).toBe(1)
    // Other commands run meanwhile.
    expect(respText(await other.call('SET', 'x', '1'))).toBe('+OK\r\n')
    expect(respText(await other.call('LPUSH', 'k', 'v'))).toBe(':1\r\n')
    await settle()
    expect(blpop.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nv\r\n')
    expect(respText(await other.call('EXISTS', 'k'))).toBe(':0\r\n')
    expect(engine.blocking.blockedClients).toBe(0)
  })

  it('serves clients blocked on a key in arrival order, one element each', async () => {
    const { connect } = testEngine()
    const [a, b, c, writer] = [connect(), connect(), connect(), connect()]
    const first = track(a, 'BLPOP', 'k', '0')
    await settle()
    const second = track(b, 'BRPOP', 'k', '0')
    await settle()
    const third = track(c, 'BLPOP', 'k', '0')
    await settle()
    expect(respText(await writer.call('RPUSH', 'k', 'a', 'b'))).toBe(':2\r\n')
    await settle()
    expect(first.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\na\r\n')
    expect(second.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nb\r\n')
    expect(third.done()).toBe(false)
    await writer.call('RPUSH', 'k', 'c')
    await settle()
    expect(third.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nc\r\n')
  })

  it('serves after EXEC completes, from the key that became ready first (Redis 7.0)', async () => {
    const { conn, connect } = testEngine()
    const writer = connect()
    const blpop = track(conn, 'BLPOP', 'k1', 'k2', '0')
    await settle()
    await writer.call('MULTI')
    await writer.call('RPUSH', 'k2', 'x')
    await writer.call('LLEN', 'k2')
    await writer.call('RPUSH', 'k1', 'y')
    // Inside the EXEC the element is still there: blocked clients are served after the transaction.
    expect(respText(await writer.call('EXEC'))).toBe('*3\r\n:1\r\n:1\r\n:1\r\n')
    await settle()
    expect(blpop.text()).toBe('*2\r\n$2\r\nk2\r\n$1\r\nx\r\n')
    expect(respText(await writer.call('LRANGE', 'k1', '0', '-1'))).toBe('*1\r\n$1\r\ny\r\n')
  })

  it('a key created and emptied inside one EXEC serves nobody; the next push does', async () => {
    const { connect } = testEngine()
    const [a, b, writer] = [connect(), connect(), connect()]
    const first = track(a, 'BLPOP', 'k', '0')
    await settle()
    const second = track(b, 'BLPOP', 'k', '0')
    await settle()
    await writer.call('MULTI')
    await writer.call('RPUSH', 'k', 'a')
    await writer.call('LPOP', 'k')
    expect(respText(await writer.call('EXEC'))).toBe('*2\r\n:1\r\n$1\r\na\r\n')
    await settle()
    expect(first.done()).toBe(false)
    expect(respText(await writer.call('RPUSH', 'k', 'b', 'c', 'd'))).toBe(':3\r\n')
    await settle()
    expect(first.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nb\r\n')
    expect(second.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nc\r\n')
    expect(respText(await writer.call('LRANGE', 'k', '0', '-1'))).toBe('*1\r\n$1\r\nd\r\n')
  })

  it('a value of another type does not serve; the client stays blocked until a list arrives', async () => {
    const { engine, conn, connect } = testEngine()
    const writer = connect()
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    await writer.call('SET', 'k', 'str')
    await settle()
    expect(blpop.done()).toBe(false)
    await writer.call('DEL', 'k')
    await writer.call('RPUSH', 'k', 'v')
    await settle()
    expect(blpop.text()).toBe('*2\r\n$1\r\nk\r\n$1\r\nv\r\n')
    expect(engine.blocking.blockedClients).toBe(0)
  })

  it('times out on the injected clock with a nil array, and only then', async () => {
    const { engine, clock, conn } = testEngine()
    const blpop = track(conn, 'BLPOP', 'k', '1.5')
    await settle()
    clock.advance(1499)
    expect(engine.runDueTimers()).toBe(0)
    await settle()
    expect(blpop.done()).toBe(false)
    clock.advance(1)
    expect(engine.runDueTimers()).toBe(1)
    await settle()
    expect(blpop.text()).toBe('*-1\r\n')
    expect(engine.blocking.blockedClients).toBe(0)
    expect(engine.timers.size).toBe(0)
  })

  it('BLMOVE and BRPOPLPUSH time out with a nil array too; timeout 0 waits forever', async () => {
    const { engine, clock, connect } = testEngine()
    const blmove = track(connect(), 'BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0.01')
    const brpoplpush = track(connect(), 'BRPOPLPUSH', 'a', 'b', '0')
    const blmpop = track(connect(), 'BLMPOP', '2', '1', 'a', 'LEFT')
    await settle()
    clock.advance(1_000_000)
    engine.runDueTimers()
    await settle()
    expect(blmove.text()).toBe('*-1\r\n')
    expect(blmpop.text()).toBe('*-1\r\n')
    expect(brpoplpush.done()).toBe(false)
    expect(engine.blocking.blockedClients).toBe(1)
  })

  it('a served client cancels its timer', async () => {
    const { engine, conn, connect } = testEngine()
    const blpop = track(conn, 'BLPOP', 'k', '10')
    await settle()
    expect(engine.timers.size).toBe(1)
    await connect().call('RPUSH', 'k', 'v')
    await settle()
    expect(blpop.done()).toBe(true)
    expect(engine.timers.size).toBe(0)
  })

  it('a disconnected client leaves the wait queues', async () => {
    const { engine, conn, connect } = testEngine()
    const writer = connect()
    void conn.call('BLPOP', 'k', '0')
    await settle()
    expect(engine.blocking.blockedClients).toBe(1)
    conn.close()
    expect(engine.blocking.blockedClients).toBe(0)
    expect(engine.keyspace.db(0).blockedKeys.size).toBe(0)
    expect(respText(await writer.call('RPUSH', 'k', 'v'))).toBe(':1\r\n')
    await settle()
    expect(respText(await writer.call('LLEN', 'k'))).toBe(':1\r\n')
  })

  it('BLMOVE pushes to its destination, which serves the clients blocked there in the same pass', async () => {
    const { connect } = testEngine()
    const [a, b, writer] = [connect(), connect(), connect()]
    const blmove = track(a, 'BLMOVE', 's', 'd', 'RIGHT', 'LEFT', '0')
    await settle()
    const blmpop = track(b, 'BLMPOP', '0', '2', 'x', 'd', 'LEFT', 'COUNT', '5')
    await settle()
    expect(respText(await writer.call('RPUSH', 's', '1', '2'))).toBe(':2\r\n')
    await settle()
    expect(blmove.text()).toBe('$1\r\n2\r\n')
    expect(blmpop.text()).toBe('*2\r\n$1\r\nd\r\n*1\r\n$1\r\n2\r\n')
    expect(respText(await writer.call('LRANGE', 's', '0', '-1'))).toBe('*1\r\n$1\r\n1\r\n')
    expect(respText(await writer.call('EXISTS', 'd'))).toBe(':0\r\n')
  })

  it('a served BLMOVE whose destination holds another type gets WRONGTYPE and leaves the element', async () => {
    const { conn, connect } = testEngine()
    const writer = connect()
    await writer.call('SET', 'd', 'str')
    const blmove = track(conn, 'BLMOVE', 'src', 'd', 'LEFT', 'LEFT', '0')
    await settle()
    await writer.call('RPUSH', 'src', 'x')
    await settle()
    expect(blmove.text()).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n')
    expect(respText(await writer.call('LRANGE', 'src', '0', '-1'))).toBe('*1\r\n$1\r\nx\r\n')
  })

  it('BRPOPLPUSH on the same key rotates the pushed list', async () => {
    const { conn, connect } = testEngine()
    const writer = connect()
    const rotate = track(conn, 'BRPOPLPUSH', 'k', 'k', '0')
    await settle()
    await writer.call('RPUSH', 'k', 'a', 'b')
    await settle()
    expect(rotate.text()).toBe('$1\r\nb\r\n')
    expect(respText(await writer.call('LRANGE', 'k', '0', '-1'))).toBe('*2\r\n$1\r\nb\r\n$1\r\na\r\n')
  })

  it('BLMPOP served with COUNT pops up to count from the ready key', async () => {
    const { conn, connect } = testEngine()
    const blmpop = track(conn, 'BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2')
    await settle()
    await connect().call('RPUSH', 'b', '1', '2', '3')
    await settle()
    expect(blmpop.text()).toBe('*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n')
  })

  it('serves in the database the client blocked in', async () => {
    const { conn, connect } = testEngine()
    const writer = connect()
    await conn.call('SELECT', '3')
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    await writer.call('RPUSH', 'k', 'db0')
    await settle()
    expect(blpop.done()).toBe(false)
    await writer.call('SELECT', '3')
    await writer.call('RPUSH', 'k', 'db3')
    await settle()
    expect(blpop.text()).toBe('*2\r\n$1\r\nk\r\n$3\r\ndb3\r\n')
  })

  it('counts a blocking command once in commandstats, when it is served', async () => {
    const { engine, conn, connect } = testEngine()
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    expect(engine.executor.commandStats.get('blpop')?.calls ?? 0).toBe(0)
    await connect().call('RPUSH', 'k', 'v')
    await settle()
    expect(blpop.done()).toBe(true)
    expect(engine.executor.commandStats.get('blpop')?.calls).toBe(1)
  })

  it('CLIENT UNBLOCK-style unblock ends the wait with a nil array or an error', async () => {
    const { engine, connect } = testEngine()
    const a = connect()
    const b = connect()
    const first = track(a, 'BLPOP', 'k', '0')
    const second = track(b, 'BLPOP', 'k', '0')
    await settle()
    expect(engine.blocking.unblock(a.client)).toBe(true)
    const { ReplyError } = await import('../../src/protocol/reply.ts')
    expect(engine.blocking.unblock(b.client, new ReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK'))).toBe(
      true,
    )
    expect(engine.blocking.unblock(b.client)).toBe(false)
    await settle()
    expect(first.text()).toBe('*-1\r\n')
    expect(second.text()).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')
  })

  it('tells the scheduling seam when a client blocks and when it is released', async () => {
    const events: string[] = []
    const seam: SchedulingSeam = {
      point() {},
      blockedOnKeys: (actor: Actor) => events.push(`blocked ${actor.id}`),
      unblocked: (actor: Actor) => events.push(`unblocked ${actor.id}`),
    }
    const { conn, connect } = testEngine({ seam })
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    expect(events).toEqual([`blocked ${conn.client.id}`])
    await connect().call('RPUSH', 'k', 'v')
    await settle()
    expect(blpop.done()).toBe(true)
    expect(events).toEqual([`blocked ${conn.client.id}`, `unblocked ${conn.client.id}`])
  })

  it('keysMayBeReady serves keys that got data without Database.set (SWAPDB-style table exchange)', async () => {
    const { engine, conn, connect } = testEngine()
    const writer = connect()
    const blpop = track(conn, 'BLPOP', 'k', '0')
    await settle()
    await writer.call('SELECT', '1')
    await writer.call('RPUSH', 'k', 'from-db1')
    const [db0, db1] = [engine.keyspace.db(0), engine.keyspace.db(1)]
    ;[db0.table, db1.table] = [db1.table, db0.table]
    engine.blocking.keysMayBeReady(db0)
    // The next command of anyone serves the ready key after it runs.
    await writer.call('PING')
    await settle()
    expect(blpop.text()).toBe('*2\r\n$1\r\nk\r\n$8\r\nfrom-db1\r\n')
  })
})
