/** The expiry side of SET, SETEX, PSETEX and GETEX, driven by the manual clock. */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../helpers.ts'

describe('strings: expiry on the manual clock', () => {
  it('SET EX: the key lives until the clock passes the expiry time, then reads as missing', async () => {
    const t = testEngine()
    expect(await t.resp('SET', 'k', 'v', 'EX', '10')).toBe('+OK\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':10000\r\n')
    t.clock.advance(10_000)
    // Redis expires a key when now > expire time, so at exactly the expiry time it is still there.
    expect(await t.resp('GET', 'k')).toBe('$1\r\nv\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':0\r\n')
    t.clock.advance(1)
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
    expect(await t.resp('EXISTS', 'k')).toBe(':0\r\n')
  })

  it('SET PX, PXAT and EXAT set the exact absolute time', async () => {
    const t = testEngine()
    const now = t.clock.now()
    await t.resp('SET', 'a', 'v', 'PX', '1234')
    expect(await t.resp('PEXPIRETIME', 'a')).toBe(`:${now + 1234}\r\n`)
    await t.resp('SET', 'b', 'v', 'PXAT', String(now + 999))
    expect(await t.resp('PEXPIRETIME', 'b')).toBe(`:${now + 999}\r\n`)
    await t.resp('SET', 'c', 'v', 'EXAT', '4102444800')
    expect(await t.resp('PEXPIRETIME', 'c')).toBe(':4102444800000\r\n')
  })

  it('SET keeps the TTL only with KEEPTTL; plain SET, GETSET and MSET clear it', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v', 'EX', '100')
    await t.resp('SET', 'k', 'w', 'KEEPTTL')
    expect(await t.resp('TTL', 'k')).toBe(':100\r\n')
    await t.resp('SET', 'k', 'x')
    expect(await t.resp('TTL', 'k')).toBe(':-1\r\n')
    await t.resp('SET', 'k', 'v', 'EX', '100')
    await t.resp('GETSET', 'k', 'y')
    expect(await t.resp('TTL', 'k')).toBe(':-1\r\n')
    await t.resp('SET', 'k', 'v', 'EX', '100')
    await t.resp('MSET', 'k', 'z')
    expect(await t.resp('TTL', 'k')).toBe(':-1\r\n')
  })

  it('SET KEEPTTL over an expired key does not inherit its old TTL', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v', 'PX', '5')
    t.clock.advance(6)
    await t.resp('SET', 'k', 'w', 'KEEPTTL')
    expect(await t.resp('TTL', 'k')).toBe(':-1\r\n')
    expect(await t.resp('GET', 'k')).toBe('$1\r\nw\r\n')
  })

  it('SET XX and NX see an expired key as missing', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v', 'PX', '5')
    t.clock.advance(6)
    expect(await t.resp('SET', 'k', 'w', 'XX')).toBe('$-1\r\n')
    expect(await t.resp('SET', 'k', 'w', 'NX', 'GET')).toBe('$-1\r\n')
    expect(await t.resp('GET', 'k')).toBe('$1\r\nw\r\n')
  })

  it('SET EXAT in the past stores the key, which is gone on its next access', async () => {
    const t = testEngine()
    expect(await t.resp('SET', 'k', 'v', 'EXAT', '1')).toBe('+OK\r\n')
    expect(await t.resp('DBSIZE')).toBe(':1\r\n')
    expect(await t.resp('GET', 'k')).toBe('$-1\r\n')
    expect(await t.resp('DBSIZE')).toBe(':0\r\n')
  })

  it('SET PX overflow is judged against the current time', async () => {
    const t = testEngine()
    t.clock.set(1_000)
    // PX is added to now in int64: 1000 + 9223372036854774807 is exactly LLONG_MAX; one more millisecond overflows.
    expect(await t.resp('SET', 'k', 'v', 'PX', '9223372036854774807')).toBe('+OK\r\n')
    expect(await t.resp('PEXPIRETIME', 'k')).toBe(':9223372036854775807\r\n')
    expect(await t.resp('SET', 'k', 'v', 'PX', '9223372036854774808')).toBe(
      "-ERR invalid expire time in 'set' command\r\n",
    )
  })

  it('SETEX and PSETEX expire', async () => {
    const t = testEngine()
    await t.resp('SETEX', 'a', '2', 'v')
    await t.resp('PSETEX', 'b', '1500', 'v')
    t.clock.advance(1501)
    expect(await t.resp('MGET', 'a', 'b')).toBe('*2\r\n$1\r\nv\r\n$-1\r\n')
    t.clock.advance(500)
    expect(await t.resp('MGET', 'a', 'b')).toBe('*2\r\n$-1\r\n$-1\r\n')
  })

  it('GETEX EX, PX, EXAT, PXAT and PERSIST', async () => {
    const t = testEngine()
    const now = t.clock.now()
    await t.resp('SET', 'k', 'v')
    expect(await t.resp('GETEX', 'k', 'PX', '250')).toBe('$1\r\nv\r\n')
    expect(await t.resp('PTTL', 'k')).toBe(':250\r\n')
    await t.resp('GETEX', 'k', 'EX', '3')
    expect(await t.resp('PTTL', 'k')).toBe(':3000\r\n')
    await t.resp('GETEX', 'k', 'PXAT', String(now + 42))
    expect(await t.resp('PTTL', 'k')).toBe(':42\r\n')
    await t.resp('GETEX', 'k', 'EXAT', String(Math.floor(now / 1000) + 7))
    expect(await t.resp('PEXPIRETIME', 'k')).toBe(`:${(Math.floor(now / 1000) + 7) * 1000}\r\n`)
    await t.resp('GETEX', 'k', 'PERSIST')
    expect(await t.resp('TTL', 'k')).toBe(':-1\r\n')
    // PXAT equal to now counts as already expired for GETEX (Redis: when <= now), and deletes the key.
    expect(await t.resp('GETEX', 'k', 'PXAT', String(now))).toBe('$1\r\nv\r\n')
    expect(await t.resp('EXISTS', 'k')).toBe(':0\r\n')
  })

  it('GETEX on an expired key is nil', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v', 'PX', '1')
    t.clock.advance(2)
    expect(await t.resp('GETEX', 'k', 'PERSIST')).toBe('$-1\r\n')
  })

  it('INCR, APPEND and SETRANGE keep the TTL and the key still expires on time', async () => {
    const t = testEngine()
    await t.resp('SET', 'n', '1', 'PX', '100')
    await t.resp('INCR', 'n')
    await t.resp('APPEND', 'n', '0')
    await t.resp('SETRANGE', 'n', '0', '3')
    expect(await t.resp('PTTL', 'n')).toBe(':100\r\n')
    expect(await t.resp('GET', 'n')).toBe('$2\r\n30\r\n')
    t.clock.advance(101)
    expect(await t.resp('INCR', 'n')).toBe(':1\r\n')
    expect(await t.resp('TTL', 'n')).toBe(':-1\r\n')
  })
})
