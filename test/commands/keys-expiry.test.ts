/** TTLs and expiry of the generic key commands, driven by the manual clock. */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../helpers.ts'
import { PlaceholderList } from './keys-strings-fixtures.ts'

describe('keys: TTL and expiry on the manual clock', () => {
  it('TTL rounds the remaining milliseconds to the nearest second, PTTL is exact', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await t.resp('PEXPIRE', 'k', '10499')
    expect(await t.resp('TTL', 'k')).toBe(':10\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':10499\r\n')
    await t.resp('PEXPIRE', 'k', '10500')
    expect(await t.resp('TTL', 'k')).toBe(':11\r\n')
    t.clock.advance(10_000)
    expect(await t.resp('TTL', 'k')).toBe(':1\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':500\r\n')
    t.clock.advance(500)
    expect(await t.resp('TTL', 'k')).toBe(':0\r\n')
    t.clock.advance(1)
    expect(await t.resp('TTL', 'k')).toBe(':-2\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':-2\r\n')
  })

  it('EXPIRETIME rounds the absolute time; PEXPIRETIME is exact', async () => {
    const t = testEngine()
    t.clock.set(1_000_000)
    await t.resp('SET', 'k', 'v')
    await t.resp('PEXPIRE', 'k', '1499')
    expect(await t.resp('PEXPIRETIME', 'k')).toBe(':1001499\r\n')
    expect(await t.resp('EXPIRETIME', 'k')).toBe(':1001\r\n')
    await t.resp('PEXPIRE', 'k', '1500')
    expect(await t.resp('EXPIRETIME', 'k')).toBe(':1002\r\n')
  })

  it('EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT set the same absolute time', async () => {
    const t = testEngine()
    t.clock.set(5_000_000)
    await t.resp('MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1')
    await t.resp('EXPIRE', 'a', '7')
    await t.resp('PEXPIRE', 'b', '7000')
    await t.resp('EXPIREAT', 'c', '5007')
    await t.resp('PEXPIREAT', 'd', '5007000')
    for (const key of ['a', 'b', 'c', 'd']) expect(await t.resp('PEXPIRETIME', key)).toBe(':5007000\r\n')
    t.clock.advance(7000)
    expect(await t.resp('EXISTS', 'a', 'b', 'c', 'd')).toBe(':4\r\n')
    t.clock.advance(1)
    expect(await t.resp('EXISTS', 'a', 'b', 'c', 'd')).toBe(':0\r\n')
  })

  it('a PEXPIREAT equal to now deletes the key at once (Redis: when <= now)', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    expect(await t.resp('PEXPIREAT', 'k', String(t.clock.now()))).toBe(':1\r\n')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
    await t.resp('SET', 'k', 'v')
    expect(await t.resp('PEXPIREAT', 'k', String(t.clock.now() + 1))).toBe(':1\r\n')
    expect(await t.resp('DBSIZE')).toBe(':1\r\n')
  })

  it('GT and LT compare with the exact current expiry: equal is neither greater nor less', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await t.resp('EXPIRE', 'k', '100')
    expect(await t.resp('EXPIRE', 'k', '100', 'GT')).toBe(':0\r\n')
    expect(await t.resp('EXPIRE', 'k', '100', 'LT')).toBe(':0\r\n')
    expect(await t.resp('PEXPIRE', 'k', '100001', 'GT')).toBe(':1\r\n')
    expect(await t.resp('PEXPIRE', 'k', '100000', 'LT')).toBe(':1\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':100000\r\n')
  })

  it('an expired key counts as missing for EXPIRE and PERSIST', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v', 'PX', '10')
    t.clock.advance(11)
    expect(await t.resp('EXPIRE', 'k', '100')).toBe(':0\r\n')
    expect(await t.resp('PERSIST', 'k')).toBe(':0\r\n')
    expect(await t.resp('TTL', 'k')).toBe(':-2\r\n')
  })

  it("RENAME, MOVE and COPY carry the exact TTL; RENAME over a key drops that key's TTL", async () => {
    const t = testEngine()
    await t.resp('SET', 'a', '1', 'PX', '1234')
    await t.resp('SET', 'dst', 'old', 'PX', '99999')
    await t.resp('RENAME', 'a', 'dst')
    expect(await t.resp('PTTL', 'dst')).toBe(':1234\r\n')
    await t.resp('SET', 'plain', 'x')
    await t.resp('RENAME', 'plain', 'dst')
    expect(await t.resp('PTTL', 'dst')).toBe(':-1\r\n')
    await t.resp('SET', 'm', '1', 'PX', '777')
    await t.resp('MOVE', 'm', '3')
    await t.resp('COPY', 'dst', 'c', 'DB', '3')
    await t.resp('PEXPIRE', 'dst', '50')
    await t.resp('SELECT', '3')
    expect(await t.resp('PTTL', 'm')).toBe(':777\r\n')
    expect(await t.resp('PTTL', 'c')).toBe(':-1\r\n')
    await t.resp('SELECT', '0')
    await t.resp('COPY', 'dst', 'c2')
    expect(await t.resp('PTTL', 'c2')).toBe(':50\r\n')
    t.clock.advance(51)
    expect(await t.resp('EXISTS', 'dst', 'c2')).toBe(':0\r\n')
  })

  it('RENAME, MOVE and COPY see an expired source as missing', async () => {
    const t = testEngine()
    await t.resp('SET', 'a', '1', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('RENAME', 'a', 'b')).toBe('-ERR no such key\r\n')
    await t.resp('SET', 'a', '1', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('MOVE', 'a', '1')).toBe(':0\r\n')
    await t.resp('SET', 'a', '1', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('COPY', 'a', 'b')).toBe(':0\r\n')
  })

  it('an expired destination does not block RENAMENX, MOVE or COPY', async () => {
    const t = testEngine()
    await t.resp('MSET', 'src', 'v', 'src2', 'w')
    await t.resp('SET', 'dst', 'old', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('RENAMENX', 'src', 'dst')).toBe(':1\r\n')
    expect(await t.resp('COPY', 'src2', 'dst')).toBe(':0\r\n')
    await t.resp('SET', 'dst', 'old', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('COPY', 'src2', 'dst')).toBe(':1\r\n')
    expect(await t.resp('GET', 'dst')).toBe('$1\r\nw\r\n')
  })

  it('PEXPIREAT beyond 2^53 ms keeps its exact value through RENAME, MOVE and COPY', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await t.resp('PEXPIREAT', 'k', '9223372036854775807')
    await t.resp('RENAME', 'k', 'r')
    await t.resp('COPY', 'r', 'c')
    await t.resp('MOVE', 'r', '1')
    expect(await t.resp('PEXPIRETIME', 'c')).toBe(':9223372036854775807\r\n')
    expect(await t.resp('PTTL', 'c')).toBe(`:${9223372036854775807n - BigInt(t.clock.now())}\r\n`)
    expect(await t.resp('EXPIRETIME', 'c')).toBe(':9223372036854776\r\n')
    await t.resp('SELECT', '1')
    expect(await t.resp('PEXPIRETIME', 'r')).toBe(':9223372036854775807\r\n')
    // A different huge time that rounds to the same double must not inherit the old exact digits.
    await t.resp('PEXPIREAT', 'r', '9223372036854775806')
    expect(await t.resp('PEXPIRETIME', 'r')).toBe(':9223372036854775806\r\n')
  })

  it('KEYS skips expired keys without deleting them; SCAN deletes the expired keys it meets', async () => {
    const t = testEngine()
    await t.resp('MSET', 'a', '1', 'b', '2')
    await t.resp('PEXPIRE', 'a', '5')
    t.clock.advance(6)
    expect(await t.resp('KEYS', '*')).toBe('*1\r\n$1\r\nb\r\n')
    expect(await t.resp('DBSIZE')).toBe(':2\r\n')
    expect(await t.resp('SCAN', '0')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n')
    expect(await t.resp('DBSIZE')).toBe(':1\r\n')
  })

  it('SCAN TYPE none returns expired keys, as Redis 7.0 does (the type lookup deletes them first)', async () => {
    const t = testEngine()
    await t.resp('MSET', 'a', '1', 'b', '2')
    await t.resp('PEXPIRE', 'a', '5')
    t.clock.advance(6)
    expect(await t.resp('SCAN', '0', 'TYPE', 'none')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n')
    expect(await t.resp('DBSIZE')).toBe(':1\r\n')
  })

  it('RANDOMKEY deletes the expired keys it draws and returns a live one', async () => {
    const t = testEngine()
    for (let i = 0; i < 20; i++) await t.resp('SET', `dead${i}`, 'x', 'PX', '1')
    await t.resp('SET', 'alive', 'y')
    t.clock.advance(2)
    expect(await t.resp('RANDOMKEY')).toBe('$5\r\nalive\r\n')
    await t.resp('DEL', 'alive')
    expect(await t.resp('RANDOMKEY')).toBe('$-1\r\n')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
  })

  it('RANDOMKEY draws from the injected random source: same seed, same sequence', async () => {
    const draw = async () => {
      const t = testEngine()
      for (let i = 0; i < 30; i++) await t.resp('SET', `k${i}`, 'v')
      const seen: string[] = []
      for (let i = 0; i < 10; i++) seen.push(await t.resp('RANDOMKEY'))
      return seen
    }
    const first = await draw()
    expect(await draw()).toEqual(first)
    expect(new Set(first).size).toBeGreaterThan(1)
  })

  it('EXPIRE touches watchers; a refused EXPIRE and PERSIST of a key without TTL do not', async () => {
    const t = testEngine()
    const other = t.connect()
    const watchedExec = async (action: () => Promise<unknown>) => {
      await t.resp('WATCH', 'k')
      await action()
      await t.resp('MULTI')
      await t.resp('PING')
      return t.resp('EXEC')
    }
    await t.resp('SET', 'k', 'v')
    expect(await watchedExec(() => other.call('PERSIST', 'k'))).toBe('*1\r\n+PONG\r\n')
    expect(await watchedExec(() => other.call('EXPIRE', 'k', '100', 'XX'))).toBe('*1\r\n+PONG\r\n')
    expect(await watchedExec(() => other.call('EXPIRE', 'k', '100'))).toBe('*-1\r\n')
    expect(await watchedExec(() => other.call('EXPIRE', 'k', '50', 'GT'))).toBe('*1\r\n+PONG\r\n')
    expect(await watchedExec(() => other.call('PERSIST', 'k'))).toBe('*-1\r\n')
  })

  it('COPY deep-copies aggregates through their clone; MOVE and RENAME move the same object', async () => {
    const t = testEngine()
    const db0 = t.engine.keyspace.db(0)
    const list = new PlaceholderList(['a', 'b'])
    t.engine.direct(() => db0.set('l', list))
    expect(await t.resp('COPY', 'l', 'l2')).toBe(':1\r\n')
    expect(list.clones).toBe(1)
    expect(db0.get('l2')).not.toBe(list)
    expect(db0.get('l2')).toEqual(new PlaceholderList(['a', 'b']))
    await t.resp('RENAME', 'l', 'r')
    expect(db0.get('r')).toBe(list)
    await t.resp('MOVE', 'r', '1')
    expect(t.engine.keyspace.db(1).get('r')).toBe(list)
    expect(list.clones).toBe(1)
  })
})
