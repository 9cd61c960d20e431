/**
 * The executor answers synchronously when nothing waits, and takes the same steps through the seam either way:
 * the production fast path must not change what the simulator sees, only what it costs.
 */
import { describe, expect, it } from 'vitest'
import type { Actor, SchedulingSeam, SeamSite } from '../../src/engine/seam.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { ReplyError } from '../../src/protocol/reply.ts'
import { toArgv } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

/** A seam that never pauses but records every point, like the simulator's when it lets an actor through. */
function recordingSeam(pauseAt: SeamSite | null = null): SchedulingSeam & { points: string[] } {
  const points: string[] = []
  return {
    points,
    point(site: SeamSite, actor: Actor, detail?: string): void | Promise<void> {
      points.push(detail === undefined ? `${actor.name} ${site}` : `${actor.name} ${site} ${detail}`)
      return site === pauseAt ? Promise.resolve() : undefined
    },
  }
}

describe('executor fast path', () => {
  it('returns plain replies, takes the lock once per command and leaves it free', () => {
    const { engine, conn } = testEngine()
    const before = engine.lock.acquisitions
    const set = engine.executor.execute(conn.client, toArgv(['SET', 'k', 'v']))
    expect(set).not.toBeInstanceOf(Promise)
    expect(respText(set as Reply)).toBe('+OK\r\n')
    const get = engine.executor.execute(conn.client, toArgv(['GET', 'k']))
    expect(get).not.toBeInstanceOf(Promise)
    expect(respText(get as Reply)).toBe('$1\r\nv\r\n')
    expect(engine.lock.acquisitions - before).toBe(2)
    expect(engine.lock.holder).toBeNull()
    expect(engine.lock.mutexEngaged).toBe(false)
  })

  it('an error reply also releases the lock on the synchronous path', () => {
    const { engine, conn } = testEngine()
    engine.executor.execute(conn.client, toArgv(['LPUSH', 'l', 'x']))
    const reply = engine.executor.execute(conn.client, toArgv(['GET', 'l']))
    expect(reply).toBeInstanceOf(ReplyError)
    expect((reply as ReplyError).message).toMatch(/^WRONGTYPE /)
    expect(engine.lock.holder).toBeNull()
  })

  it('passes the same seam points, in the same order, whether or not a point pauses', async () => {
    const sync = recordingSeam()
    const paused = recordingSeam('arrive')
    const replies: Reply[] = []
    for (const seam of [sync, paused]) {
      const { engine, conn } = testEngine({ seam })
      const result = engine.executor.execute(conn.client, toArgv(['INCR', 'n']))
      expect(result instanceof Promise).toBe(seam === paused)
      replies.push(await result)
    }
    expect(replies).toEqual([1, 1])
    expect(sync.points).toEqual(['client#1 arrive INCR', 'client#1 lock-acquired', 'client#1 reply'])
    expect(paused.points).toEqual(sync.points)
  })

  it('a seam that declares it ignores details is not given the command name', () => {
    const seam = { ...recordingSeam(), ignoresDetail: true }
    const { engine, conn } = testEngine({ seam })
    engine.executor.execute(conn.client, toArgv(['PING']))
    expect(seam.points).toEqual(['client#1 arrive', 'client#1 lock-acquired', 'client#1 reply'])
  })

  it('waits for a held lock: the reply comes later, as a promise, after the holder released', async () => {
    const { engine, conn, connect } = testEngine()
    const other = connect()
    const holder = engine.lock.tryAcquire(other.client)!
    const result = engine.executor.execute(conn.client, toArgv(['SET', 'k', 'late']))
    expect(result).toBeInstanceOf(Promise)
    let settled = false
    void (result as Promise<Reply>).then(() => {
      settled = true
    })
    for (let i = 0; i < 10; i++) await Promise.resolve()
    expect(settled).toBe(false)
    expect(engine.keyspace.db(0).get('k')).toBeUndefined()
    holder.release()
    expect(respText(await result)).toBe('+OK\r\n')
    expect(engine.lock.holder).toBeNull()
    expect(engine.lock.mutexEngaged).toBe(false)
  })

  it('a blocking command answers later, without holding the lock while it waits', async () => {
    const { engine, conn, connect } = testEngine()
    const result = engine.executor.execute(conn.client, toArgv(['BLPOP', 'q', '0']))
    expect(result).toBeInstanceOf(Promise)
    expect(engine.lock.holder).toBeNull()
    // Serving the blocked client is asynchronous (it may pass seam points), so the pusher's reply is a promise too.
    expect(await engine.executor.execute(connect().client, toArgv(['RPUSH', 'q', 'item']))).toBe(1)
    expect(respText(await result)).toBe('*2\r\n$1\r\nq\r\n$4\r\nitem\r\n')
  })

  it('MULTI and queueing answer synchronously; EXEC takes the lock once for the whole transaction', () => {
    const { engine, conn } = testEngine()
    const run = (...args: string[]) => engine.executor.execute(conn.client, toArgv(args))
    expect(respText(run('MULTI') as Reply)).toBe('+OK\r\n')
    expect(respText(run('INCR', 'a') as Reply)).toBe('+QUEUED\r\n')
    expect(respText(run('INCR', 'a') as Reply)).toBe('+QUEUED\r\n')
    const before = engine.lock.acquisitions
    const exec = run('EXEC')
    // EXEC's handler is async (it awaits each step's seam point), so its reply is a promise; one lease for all of it.
    return Promise.resolve(exec).then((reply) => {
      expect(respText(reply)).toBe('*2\r\n:1\r\n:2\r\n')
      expect(engine.lock.acquisitions - before).toBe(1)
      expect(engine.lock.holder).toBeNull()
    })
  })
})
