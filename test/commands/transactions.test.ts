import { describe, expect, it } from 'vitest'
import type { SchedulingSeam } from '../../src/engine/seam.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

describe('MULTI / EXEC / DISCARD', () => {
  it('queues commands and runs them in order on EXEC', async () => {
    const t = testEngine()
    expect(await t.resp('MULTI')).toBe('+OK\r\n')
    expect(await t.resp('SET', 'a', '1')).toBe('+QUEUED\r\n')
    expect(await t.resp('GET', 'a')).toBe('+QUEUED\r\n')
    expect(await t.resp('EXEC')).toBe('*2\r\n+OK\r\n$1\r\n1\r\n')
    expect(await t.resp('GET', 'a')).toBe('$1\r\n1\r\n')
  })

  it('empty transaction replies an empty array', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*0\r\n')
  })

  it('EXEC and DISCARD without MULTI', async () => {
    const t = testEngine()
    expect(await t.resp('EXEC')).toBe('-ERR EXEC without MULTI\r\n')
    expect(await t.resp('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n')
  })

  it('nested MULTI and WATCH inside MULTI are errors that do not abort the transaction', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    expect(await t.resp('MULTI')).toBe('-ERR MULTI calls can not be nested\r\n')
    expect(await t.resp('WATCH', 'x')).toBe('-ERR WATCH inside MULTI is not allowed\r\n')
    await t.resp('SET', 'k', 'v')
    expect(await t.resp('EXEC')).toBe('*1\r\n+OK\r\n')
  })

  it('a command rejected while queuing makes EXEC abort with EXECABORT and leave MULTI state', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    expect(await t.resp('SET', 'k', 'v')).toBe('+QUEUED\r\n')
    expect(await t.resp('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n")
    expect(await t.resp('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n')
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
    expect(await t.resp('EXEC')).toBe('-ERR EXEC without MULTI\r\n')
  })

  it('an unknown command while queuing aborts the transaction too', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    expect(await t.resp('NOSUCH', 'a')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n")
    expect(await t.resp('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n')
  })

  it('runtime errors are returned in place and the other commands still run (no rollback)', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    await t.resp('SET', 'a', '1')
    await t.resp('SELECT', '99')
    await t.resp('SET', 'b', '2')
    expect(await t.resp('EXEC')).toBe('*3\r\n+OK\r\n-ERR DB index is out of range\r\n+OK\r\n')
    expect(await t.resp('GET', 'b')).toBe('$1\r\n2\r\n')
  })

  it('DISCARD drops the queue', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    await t.resp('SET', 'a', '1')
    expect(await t.resp('DISCARD')).toBe('+OK\r\n')
    expect(await t.resp('GET', 'a')).toBe('$-1\r\n')
  })

  it('EXEC takes the lock once for the whole transaction', async () => {
    const t = testEngine()
    await t.resp('MULTI')
    for (let i = 0; i < 10; i++) await t.resp('SET', `k${i}`, 'v')
    const before = t.engine.lock.acquisitions
    await t.resp('EXEC')
    expect(t.engine.lock.acquisitions - before).toBe(1)
  })
})

describe('WATCH', () => {
  it("another client's write makes EXEC return a nil array", async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('SET', 'w', '1')
    await t.resp('WATCH', 'w')
    await other.call('SET', 'w', '2')
    await t.resp('MULTI')
    await t.resp('SET', 'w', '3')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
    expect(await t.resp('GET', 'w')).toBe('$1\r\n2\r\n')
  })

  it("the watching client's own write before MULTI also aborts", async () => {
    const t = testEngine()
    await t.resp('WATCH', 'w')
    await t.resp('SET', 'w', 'mine')
    await t.resp('MULTI')
    await t.resp('GET', 'w')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })

  it('untouched watched keys let EXEC run, and EXEC clears the watches', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('WATCH', 'w')
    await other.call('SET', 'unrelated', '1')
    await t.resp('MULTI')
    await t.resp('SET', 'w', '1')
    expect(await t.resp('EXEC')).toBe('*1\r\n+OK\r\n')
    // Watches ended with EXEC: a later write does not affect the next transaction.
    await other.call('SET', 'w', '2')
    await t.resp('MULTI')
    await t.resp('GET', 'w')
    expect(await t.resp('EXEC')).toBe('*1\r\n$1\r\n2\r\n')
  })

  it('UNWATCH and DISCARD clear watches', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('WATCH', 'w')
    expect(await t.resp('UNWATCH')).toBe('+OK\r\n')
    await other.call('SET', 'w', '1')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*0\r\n')

    await t.resp('WATCH', 'w')
    await t.resp('MULTI')
    await t.resp('DISCARD')
    await other.call('SET', 'w', '2')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*0\r\n')
  })

  it('deleting a missing key does not touch it; creating then deleting does', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('WATCH', 'absent')
    await other.call('DEL', 'absent')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*0\r\n')

    await t.resp('WATCH', 'absent')
    await other.call('SET', 'absent', 'x')
    await other.call('DEL', 'absent')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })

  it('FLUSHALL touches watched keys', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('SET', 'w', '1')
    await t.resp('WATCH', 'w')
    await other.call('FLUSHALL')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })

  it('expiry of a watched key aborts EXEC', async () => {
    const t = testEngine()
    const db = t.engine.keyspace.db(0)
    await t.resp('SET', 'w', '1')
    t.engine.direct(() => db.setExpire('w', t.clock.now() + 100))
    await t.resp('WATCH', 'w')
    t.clock.advance(101)
    await t.resp('MULTI')
    await t.resp('GET', 'w')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })

  it('watches are per database', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('WATCH', 'w')
    await other.call('SELECT', '1')
    await other.call('SET', 'w', 'in-db1')
    await t.resp('MULTI')
    expect(await t.resp('EXEC')).toBe('*0\r\n')
  })

  it('a disconnected client leaves no watch behind', async () => {
    const t = testEngine()
    const gone = t.connect()
    await gone.call('WATCH', 'w')
    expect(t.engine.keyspace.db(0).watchers.get('w')?.size).toBe(1)
    gone.close()
    expect(t.engine.keyspace.db(0).watchers.has('w')).toBe(false)
  })
})

describe('EXEC is atomic', () => {
  it("no other client's command runs between the commands of an EXEC, even when the seam pauses it", async () => {
    // A seam that parks EXEC at each step for a macrotask, giving any other client every chance to run.
    const writes: string[] = []
    const seam: SchedulingSeam = {
      point: (site) => (site === 'exec-step' ? new Promise((r) => setTimeout(r, 1)) : undefined),
      recorder: {
        access: (kind, _db, key) => {
          if (kind === 'write') writes.push(key)
        },
      },
    }
    const t = testEngine({ seam })
    const other = t.connect()
    await t.resp('MULTI')
    for (let i = 0; i < 5; i++) await t.resp('SET', `tx${i}`, 'v')
    const exec = t.conn.call('EXEC')
    // Let EXEC take the lock and park at its first step, then fire the intruder.
    await new Promise((r) => setTimeout(r, 0))
    const intruder = other.call('SET', 'intruder', 'x')
    const [execReply, intruderReply] = await Promise.all([exec, intruder])
    expect(respText(execReply)).toBe(`*5\r\n${'+OK\r\n'.repeat(5)}`)
    expect(respText(intruderReply)).toBe('+OK\r\n')
    expect(writes).toEqual(['tx0', 'tx1', 'tx2', 'tx3', 'tx4', 'intruder'])
  })
})

describe('executor paths', () => {
  it('a command from a client that disconnected while waiting for the lock is dropped', async () => {
    const t = testEngine()
    const holder = t.engine.lock.tryAcquire({ id: 999, name: 'holder' })!
    const waiter = new LocalConnection(t.engine)
    const pending = waiter.call('SET', 'dropped', 'x')
    await Promise.resolve()
    waiter.close()
    holder.release()
    expect(await pending).toBeNull()
    expect(await t.resp('EXISTS', 'dropped')).toBe(':0\r\n')
    expect(t.engine.lock.holder).toBeNull()
  })

  it('one acquisition per plain command', async () => {
    const t = testEngine()
    const before = t.engine.lock.acquisitions
    await t.resp('SET', 'a', '1')
    await t.resp('GET', 'a')
    expect(t.engine.lock.acquisitions - before).toBe(2)
  })

  it('the lock is released when a handler throws an internal error', async () => {
    const t = testEngine()
    const spec = t.engine.executor.table.get('get')!
    const original = spec.handler
    ;(spec as { handler: unknown }).handler = () => {
      throw new Error('boom')
    }
    try {
      expect(await t.resp('GET', 'x')).toBe("-ERR internal error in 'get': boom\r\n")
      expect(t.engine.lock.holder).toBeNull()
    } finally {
      ;(spec as { handler: unknown }).handler = original
    }
    expect(await t.resp('GET', 'x')).toBe('$-1\r\n')
  })

  it('requirepass: commands before AUTH get NOAUTH', async () => {
    const t = testEngine({ config: { requirepass: 'secret' } })
    expect(await t.resp('GET', 'a')).toBe('-NOAUTH Authentication required.\r\n')
  })

  it('connections run their commands strictly in order, even when pipelined without awaiting', async () => {
    const t = testEngine()
    const other = t.connect()
    const gets: Array<Promise<unknown>> = []
    for (let i = 0; i < 50; i++) {
      void t.conn.call('SET', 'seq', String(i))
      // Interleave another connection's writes to the same key; they must not reorder this connection's pairs.
      void other.call('SET', 'seq', 'other')
      gets.push(t.conn.call('GET', 'seq'))
    }
    const replies = (await Promise.all(gets)).map((r) => String(r))
    for (let i = 0; i < 50; i++) expect(['other', String(i)]).toContain(replies[i])
    // Each GET runs after its own SET: it never sees a value this connection wrote later.
    const own = replies.filter((r) => r !== 'other').map(Number)
    expect(own).toEqual([...own].sort((x, y) => x - y))
  })
})

describe('EXEC and expiry time', () => {
  it('judges expiry at EXEC start: a key cannot expire between two queued commands', async () => {
    // A seam that moves the clock 60 ms at every step of an EXEC, as a simulator may between two steps.
    let t: ReturnType<typeof testEngine>
    const seam: SchedulingSeam = {
      point(site) {
        if (site === 'exec-step') t.clock.advance(60)
      },
    }
    t = testEngine({ seam })
    expect(await t.resp('SET', 'k', 'v', 'PX', '100')).toBe('+OK\r\n')
    await t.resp('MULTI')
    for (let i = 0; i < 3; i++) await t.resp('GET', 'k')
    // 180 ms pass during EXEC, past the 100 ms TTL; every GET still sees the key, as in Redis 7.0.
    expect(await t.resp('EXEC')).toBe('*3\r\n$1\r\nv\r\n$1\r\nv\r\n$1\r\nv\r\n')
    // Once EXEC is over, the clock is live again.
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
  })
})
