/**
 * TIME, DBSIZE, FLUSHDB, FLUSHALL, SAVE, BGSAVE, LASTSAVE. Error texts as redis-server 7.0.15 gives them.
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../helpers.ts'

describe('TIME', () => {
  it('answers seconds and microseconds of the injected clock as bulk strings', async () => {
    const t = testEngine()
    t.clock.set(1_795_645_179_717.25)
    expect(await t.resp('TIME')).toBe('*2\r\n$10\r\n1795645179\r\n$6\r\n717250\r\n')
    t.clock.set(1_700_000_000_000)
    expect(await t.resp('TIME')).toBe('*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n')
    expect(await t.resp('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n")
  })
})

describe('DBSIZE', () => {
  it('counts the keys of the selected database', async () => {
    const t = testEngine()
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
    await t.resp('SET', 'a', '1')
    await t.resp('SET', 'b', '1')
    expect(await t.resp('DBSIZE')).toBe(':2\r\n')
    await t.resp('SELECT', '1')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
  })
})

describe('FLUSHDB and FLUSHALL', () => {
  async function fill() {
    const t = testEngine()
    await t.resp('SET', 'a', '1')
    await t.resp('SELECT', '2')
    await t.resp('SET', 'b', '1')
    return t
  }

  it('FLUSHDB empties only the selected database, in every mode', async () => {
    for (const mode of [[], ['ASYNC'], ['sync']]) {
      const t = await fill()
      expect(await t.resp('FLUSHDB', ...mode)).toBe('+OK\r\n')
      expect(await t.resp('DBSIZE')).toBe(':0\r\n')
      await t.resp('SELECT', '0')
      expect(await t.resp('DBSIZE')).toBe(':1\r\n')
    }
  })

  it('FLUSHALL empties every database, in every mode', async () => {
    for (const mode of [[], ['async'], ['SYNC']]) {
      const t = await fill()
      expect(await t.resp('FLUSHALL', ...mode)).toBe('+OK\r\n')
      expect(t.engine.keyspace.dbs.every((db) => db.size === 0)).toBe(true)
    }
  })

  it('rejects other arguments without flushing', async () => {
    const t = await fill()
    expect(await t.resp('FLUSHALL', 'foo')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('FLUSHALL', 'async', 'sync')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('FLUSHDB', 'a', 'b')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('DBSIZE')).toBe(':1\r\n')
  })

  it('break WATCH on keys they remove', async () => {
    for (const flush of [['FLUSHDB'], ['FLUSHALL', 'ASYNC']]) {
      const t = testEngine()
      await t.resp('SET', 'k', 'v')
      await t.resp('WATCH', 'k')
      await t.connect().call(...flush)
      await t.resp('MULTI')
      await t.resp('PING')
      expect(await t.resp('EXEC')).toBe('*-1\r\n')
    }
  })
})

describe('SAVE, BGSAVE, LASTSAVE', () => {
  it('LASTSAVE starts at the server start and moves with each save', async () => {
    const t = testEngine()
    const start = Math.floor(t.clock.now() / 1000)
    expect(await t.resp('LASTSAVE')).toBe(`:${start}\r\n`)
    t.clock.advance(10_000)
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    expect(await t.resp('LASTSAVE')).toBe(`:${start + 10}\r\n`)
    t.clock.advance(5_000)
    expect(await t.resp('BGSAVE')).toBe('+Background saving started\r\n')
    expect(await t.resp('LASTSAVE')).toBe(`:${start + 15}\r\n`)
    expect(await t.resp('BGSAVE', 'schedule')).toBe('+Background saving started\r\n')
  })

  it('rejects bad arguments, and SAVE inside MULTI', async () => {
    const t = testEngine()
    expect(await t.resp('BGSAVE', 'foo')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('BGSAVE', 'SCHEDULE', 'x')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('SAVE', 'x')).toBe("-ERR wrong number of arguments for 'save' command\r\n")
    expect(await t.resp('LASTSAVE', 'x')).toBe("-ERR wrong number of arguments for 'lastsave' command\r\n")
    await t.resp('MULTI')
    expect(await t.resp('SAVE')).toBe('-ERR Command not allowed inside a transaction\r\n')
    expect(await t.resp('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n')
  })

  it('counts saves in INFO persistence', async () => {
    const t = testEngine()
    await t.resp('SAVE')
    await t.resp('BGSAVE')
    const info = await t.resp('INFO', 'persistence')
    expect(info).toContain('\r\nrdb_saves:2\r\n')
    expect(info).toContain('\r\nrdb_last_bgsave_time_sec:0\r\n')
    expect(info).toContain(`\r\nrdb_last_save_time:${Math.floor(t.clock.now() / 1000)}\r\n`)
  })
})
