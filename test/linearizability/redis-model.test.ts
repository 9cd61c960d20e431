import { describe, expect, it } from 'vitest'
import type { HistoryReply, OperationInput } from '../../sim/linearizability/history.ts'
import { attachClients, redisModel } from '../../sim/model/redis-model.ts'

const model = redisModel()
const c = (...argv: string[]): OperationInput => ({ argv })
const s = (name: string, keys: string[], args: string[] = []): OperationInput => ({ script: name, keys, args })

/** Runs inputs in order from the empty keyspace and returns the replies. */
function replies(...inputs: OperationInput[]): HistoryReply[] {
  let state = model.init()
  return inputs.map((input) => {
    const result = model.run(state, input)
    state = result.state
    return result.reply
  })
}

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' }
const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' }

describe('the sequential Redis model: strings', () => {
  it('GET and SET with NX, XX, GET and expiry options', () => {
    expect(
      replies(
        c('GET', 'k'),
        c('SET', 'k', 'v1', 'XX'),
        c('SET', 'k', 'v1', 'NX'),
        c('SET', 'k', 'v2', 'NX'),
        c('set', 'k', 'v3', 'xx', 'get'),
        c('SET', 'k', 'v4', 'NX', 'GET'),
        c('GET', 'k'),
        c('SET', 'k', 'v5', 'PX', '100'),
        c('SET', 'k', 'v6', 'EX', '0'),
        c('SET', 'k', 'v6', 'EX', 'x'),
        c('SET', 'k', 'v6', 'NX', 'XX'),
        c('SET', 'k', 'v6', 'EX', '1', 'PX', '1'),
        c('SET', 'k', 'v6', 'KEEPTTL'),
        c('GET', 'k'),
      ),
    ).toEqual([
      null,
      null,
      'OK',
      null,
      'v1',
      'v3',
      'v3',
      'OK',
      { error: "ERR invalid expire time in 'set' command" },
      NOT_INTEGER,
      { error: 'ERR syntax error' },
      { error: 'ERR syntax error' },
      'OK',
      'v6',
    ])
  })

  it('SET GET on a non-string fails without writing; plain SET overwrites any type', () => {
    expect(
      replies(c('RPUSH', 'l', 'a'), c('SET', 'l', 'v', 'GET'), c('TYPE', 'l'), c('SET', 'l', 'v'), c('GET', 'l')),
    ).toEqual([1, WRONGTYPE, 'list', 'OK', 'v'])
  })

  it('INCR family: strict integers, overflow, wrong type', () => {
    expect(
      replies(
        c('INCR', 'n'),
        c('INCRBY', 'n', '41'),
        c('DECR', 'n'),
        c('DECRBY', 'n', '-10'),
        c('INCRBY', 'n', '1.5'),
        c('SET', 's', ' 1'),
        c('INCR', 's'),
        c('SET', 's', '01'),
        c('INCR', 's'),
        c('SET', 'big', '9223372036854775807'),
        c('INCR', 'big'),
        c('DECRBY', 'n', '-9223372036854775808'),
        c('LPUSH', 'l', 'x'),
        c('INCR', 'l'),
      ),
    ).toEqual([
      1,
      42,
      41,
      51,
      NOT_INTEGER,
      'OK',
      NOT_INTEGER,
      'OK',
      NOT_INTEGER,
      'OK',
      { error: 'ERR increment or decrement would overflow' },
      { error: 'ERR decrement would overflow' },
      1,
      WRONGTYPE,
    ])
  })

  it('APPEND, STRLEN, MGET, MSET, MSETNX, SETNX, GETSET, GETDEL', () => {
    expect(
      replies(
        c('APPEND', 'a', 'hello'),
        c('APPEND', 'a', ' world'),
        c('STRLEN', 'a'),
        c('MSET', 'x', '1', 'y', '2'),
        c('MSET', 'x', '1', 'y'),
        c('RPUSH', 'l', 'e'),
        c('MGET', 'x', 'missing', 'l', 'y'),
        c('MSETNX', 'z', '1', 'x', '9'),
        c('MSETNX', 'z', '1', 'w', '9'),
        c('SETNX', 'z', '2'),
        c('GETSET', 'z', '3'),
        c('GETDEL', 'z'),
        c('GETDEL', 'z'),
      ),
    ).toEqual([
      5,
      11,
      11,
      'OK',
      { error: "ERR wrong number of arguments for 'mset' command" },
      1,
      ['1', null, null, '2'],
      0,
      1,
      0,
      '1',
      '3',
      null,
    ])
  })

  it('checks arity like Redis', () => {
    expect(replies(c('GET'), c('GET', 'a', 'b'), c('SET', 'a'))).toEqual([
      { error: "ERR wrong number of arguments for 'get' command" },
      { error: "ERR wrong number of arguments for 'get' command" },
      { error: "ERR wrong number of arguments for 'set' command" },
    ])
  })

  it('refuses to guess about commands outside the model', () => {
    expect(() => replies(c('HSET', 'h', 'f', 'v'))).toThrow(/not modelled/)
    expect(() => replies(s('no-such-script', ['k']))).toThrow(/no specification for script/)
  })
})

describe('the sequential Redis model: keys, lists, sorted sets', () => {
  it('DEL, EXISTS and TYPE', () => {
    expect(
      replies(
        c('SET', 'a', '1'),
        c('RPUSH', 'b', 'x'),
        c('EXISTS', 'a', 'a', 'b', 'c'),
        c('TYPE', 'b'),
        c('DEL', 'a', 'b', 'c'),
        c('TYPE', 'a'),
      ),
    ).toEqual(['OK', 1, 3, 'list', 2, 'none'])
  })

  it('RPUSH, LPUSH, LRANGE with negative and clamped indexes, LLEN, LINDEX, LPOP, RPOP', () => {
    expect(
      replies(
        c('RPUSH', 'l', 'a', 'b'),
        c('LPUSH', 'l', 'y', 'z'),
        c('LRANGE', 'l', '0', '-1'),
        c('LRANGE', 'l', '-2', '100'),
        c('LRANGE', 'l', '3', '1'),
        c('LLEN', 'l'),
        c('LINDEX', 'l', '-1'),
        c('LPOP', 'l'),
        c('RPOP', 'l', '2'),
        c('LPOP', 'l', '0'),
        c('LPOP', 'l', '-1'),
        c('RPOP', 'l'),
        c('EXISTS', 'l'),
        c('LPOP', 'l', '1'),
        c('LRANGE', 'l', 'x', '1'),
      ),
    ).toEqual([
      2,
      4,
      ['z', 'y', 'a', 'b'],
      ['a', 'b'],
      [],
      4,
      'b',
      'z',
      ['b', 'a'],
      [],
      { error: 'ERR value is out of range, must be positive' },
      'y',
      0,
      null,
      NOT_INTEGER,
    ])
  })

  it('ZADD, ZCARD, ZCOUNT, ZRANGE, ZREMRANGEBYSCORE with exclusive and infinite bounds, ZREM', () => {
    expect(
      replies(
        c('ZADD', 'z', '3', 'c', '1', 'a', '2', 'b'),
        c('ZADD', 'z', 'CH', '5', 'a', '4', 'd'),
        c('ZADD', 'z', 'NX', '9', 'a'),
        c('ZADD', 'z', 'XX', '9', 'e'),
        c('ZRANGE', 'z', '0', '-1'),
        c('ZCOUNT', 'z', '(2', '+inf'),
        c('ZREMRANGEBYSCORE', 'z', '-inf', '(3'),
        c('ZCARD', 'z'),
        c('ZREMRANGEBYSCORE', 'z', 'x', '1'),
        c('ZADD', 'z', 'abc', 'a'),
        c('ZADD', 'z', 'NX', 'XX', '1', 'a'),
        c('ZREM', 'z', 'c', 'd', 'a', 'nope'),
        c('EXISTS', 'z'),
      ),
    ).toEqual([
      3,
      2,
      0,
      0,
      ['b', 'c', 'd', 'a'],
      3,
      1,
      3,
      { error: 'ERR min or max is not a float' },
      { error: 'ERR value is not a valid float' },
      { error: 'ERR XX and NX options at the same time are not compatible' },
      3,
      0,
    ])
  })
})

describe('the sequential Redis model: fixture scripts and MULTI', () => {
  it('read-modify-write counter', () => {
    expect(replies(s('counter', ['c'], ['1']), s('counter', ['c'], ['5']), c('GET', 'c'))).toEqual([1, 6, '6'])
    expect(replies(c('SET', 'c', 'x'), s('counter', ['c'], ['1']))[1]).toMatchObject({
      error: expect.stringMatching(/^ERR /),
    })
    expect(replies(c('RPUSH', 'c', 'x'), s('counter', ['c'], ['1']))[1]).toEqual(WRONGTYPE)
  })

  it("compare-and-set ('' expects the key to be absent)", () => {
    expect(
      replies(
        s('cas', ['k'], ['x', 'a']),
        s('cas', ['k'], ['', 'a']),
        s('cas', ['k'], ['', 'b']),
        s('cas', ['k'], ['a', 'b']),
        c('GET', 'k'),
      ),
    ).toEqual([0, 1, 0, 1, 'b'])
  })

  it('transfer keeps the total, refuses overdrafts and self-transfers, raises on non-numbers', () => {
    expect(
      replies(
        c('MSET', 'a', '10', 'b', '0'),
        s('transfer', ['a', 'b'], ['7']),
        s('transfer', ['a', 'b'], ['7']),
        s('transfer', ['a', 'a'], ['1']),
        s('transfer', ['b', 'c'], ['2']),
        c('MGET', 'a', 'b', 'c'),
        c('SET', 'c', 'u1.2.3'),
        s('transfer', ['a', 'c'], ['1']),
      ),
    ).toEqual(['OK', 1, 0, 0, 1, ['3', '5', '2'], 'OK', { error: expect.stringMatching(/^ERR .*not a number/) }])
  })

  it('lock acquire and owner-checked release', () => {
    const lock = (action: string, owner: string) => s('lock', ['lock'], [action, owner])
    expect(
      replies(
        lock('acquire', 'c1'),
        lock('acquire', 'c2'),
        lock('release', 'c2'),
        c('GET', 'lock'),
        lock('release', 'c1'),
        lock('acquire', 'c2'),
      ),
    ).toEqual([1, 0, 0, 'c1', 1, 1])
  })

  it('sliding-window rate limiter, with the key expiring with the window', () => {
    const hit = (now: number, id: string) => s('rate-limiter', ['rl'], [String(now), '10', '2', id])
    // Window 10, limit 2: at 111 the hits at 100 and 101 have left the window (scores <= now - window go).
    expect(
      replies(hit(100, 'r1'), hit(101, 'r2'), hit(105, 'r3'), hit(111, 'r4'), hit(111, 'r5'), hit(112, 'r6')),
    ).toEqual([1, 1, 0, 1, 1, 0])
    const m = redisModel({ clock: 1000 })
    let state = m.run(m.init(), s('rate-limiter', ['rl'], ['1000', '10', '2', 'x'])).state
    expect(m.run(state, c('PTTL', 'rl')).reply).toBe(10)
    state = m.run(state, { clock: 1011 }).state
    expect(m.run(state, c('EXISTS', 'rl')).reply).toBe(0)
  })

  it('list-append returns the whole list', () => {
    expect(replies(s('list-append', ['l'], ['1']), s('list-append', ['l'], ['2']))).toEqual([['1'], ['1', '2']])
  })

  it('a script error keeps the writes made before it, like Redis', () => {
    const custom = redisModel({
      scripts: [
        {
          name: 'set-then-fail',
          contract: "redis.call('SET', KEYS[1], '1'); redis.call('INCR', KEYS[2])",
          run: (call, keys) => {
            call('SET', keys[0], '1')
            return call('INCR', keys[1])
          },
        },
      ],
    })
    let state = custom.run(custom.init(), c('RPUSH', 'l', 'x')).state
    const failed = custom.run(state, s('set-then-fail', ['k', 'l']))
    expect(failed.reply).toEqual(WRONGTYPE)
    state = failed.state
    expect(custom.run(state, c('GET', 'k')).reply).toBe('1')
    // And the fixture transfer checks both balances before writing anything.
    expect(replies(c('SET', 'b', 'x'), s('transfer', ['a', 'b'], ['0']), c('EXISTS', 'a'))).toEqual([
      'OK',
      { error: expect.stringMatching(/^ERR /) },
      0,
    ])
  })

  it('MULTI/EXEC applies every command atomically and reports each reply', () => {
    expect(
      replies(
        {
          multi: [
            ['SET', 'a', '1'],
            ['INCR', 'a'],
            ['LPUSH', 'a', 'x'],
          ],
        },
        c('GET', 'a'),
      ),
    ).toEqual([['OK', 2, WRONGTYPE], '2'])
  })

  it('accepts raw EVALSHA argv when told which script a sha is', () => {
    const named = redisModel({ scriptNames: { abc123: 'counter' } })
    const { reply } = named.run(named.init(), c('EVALSHA', 'ABC123', '1', 'c', '1'))
    expect(reply).toBe(1)
    expect(named.keys!(c('EVALSHA', 'abc123', '1', 'c', '1'))).toEqual(['c'])
  })
})

describe('the sequential Redis model: expiry on the virtual clock', () => {
  it('PEXPIRE, PTTL, TTL, PERSIST and SET PX follow the announced clock', () => {
    const m = redisModel({ clock: 1000 })
    let state = m.init()
    const run = (input: OperationInput) => {
      const result = m.run(state, input)
      state = result.state
      return result.reply
    }
    expect(run(c('SET', 'a', '1', 'PX', '100'))).toBe('OK')
    expect(run(c('PTTL', 'a'))).toBe(100)
    expect(run(c('SET', 'b', '1'))).toBe('OK')
    expect(run(c('PEXPIRE', 'b', '50'))).toBe(1)
    expect(run(c('PEXPIRE', 'missing', '50'))).toBe(0)
    expect(run(c('TTL', 'b'))).toBe(0)
    expect(run(c('PTTL', 'missing'))).toBe(-2)
    expect(run(c('SET', 'c', '1', 'EX', '10'))).toBe('OK')
    expect(run(c('PERSIST', 'c'))).toBe(1)
    expect(run(c('PTTL', 'c'))).toBe(-1)
    expect(run(c('APPEND', 'a', 'x'))).toBe(2) // keeps the TTL
    run({ clock: 1050 })
    expect(run(c('PTTL', 'a'))).toBe(50)
    expect(run(c('GET', 'b'))).toBe('1') // expired only when now > expiry time
    run({ clock: 1051 })
    expect(run(c('GET', 'b'))).toBe(null)
    expect(run(c('SET', 'a', 'fresh'))).toBe('OK') // SET drops the TTL
    run({ clock: 5000 })
    expect(run(c('MGET', 'a', 'b', 'c'))).toEqual(['fresh', null, '1'])
    expect(run(c('PEXPIRE', 'a', '0'))).toBe(1) // a time already past deletes at once
    expect(run(c('EXISTS', 'a'))).toBe(0)
    expect(run(c('SET', 'p', '1', 'PXAT', '4000'))).toBe('OK') // set already expired: gone on the next access
    expect(run(c('GET', 'p'))).toBe(null)
  })
})

describe('the sequential Redis model: WATCH', () => {
  const m = redisModel()
  const watchOp = (client: number, key: string): OperationInput => ({ argv: ['WATCH', key], client })
  const exec = (client: number, key: string, value: string): OperationInput => ({
    multi: [['SET', key, value]],
    watch: [key],
    client,
  })

  it('EXEC runs when no one touched the watched key, and aborts (nil) when someone did', () => {
    let state = m.init()
    state = m.step(state, watchOp(1, 'k'), 'OK')!
    expect(m.step(state, exec(1, 'k', '1'), null)).toBeUndefined()
    expect(m.step(state, exec(1, 'k', '1'), ['OK'])).toBeDefined()
    const touched = m.step(state, s('counter', ['k'], ['1']), 1)!
    expect(m.step(touched, exec(1, 'k', '1'), ['OK'])).toBeUndefined()
    const aborted = m.step(touched, exec(1, 'k', '1'), null)!
    expect(aborted).toBeDefined()
    expect(aborted.get('k')).toBe('1') // the counter's write, not the EXEC's
  })

  it('writes that change nothing do not touch WATCH; expiry does', () => {
    let state = m.init()
    state = m.step(state, c('SET', 'k', 'v'), 'OK')!
    state = m.step(state, watchOp(1, 'k'), 'OK')!
    state = m.step(state, c('SET', 'k', 'w', 'NX'), null)!
    state = m.step(state, c('ZREM', 'z', 'm'), 0)!
    expect(m.step(state, exec(1, 'k', '1'), ['OK'])).toBeDefined()
    const ttl = redisModel({ clock: 0 })
    let timed = ttl.step(ttl.init(), c('SET', 'k', 'v', 'PX', '10'), 'OK')!
    timed = ttl.step(timed, watchOp(2, 'k'), 'OK')!
    timed = ttl.step(timed, { clock: 11 }, null)!
    expect(ttl.step(timed, exec(2, 'k', '1'), ['OK'])).toBeUndefined()
    expect(ttl.step(timed, exec(2, 'k', '1'), null)).toBeDefined()
  })

  it('without client identity, a nil EXEC of a watched block is accepted as aborted; a plain MULTI cannot be nil', () => {
    const input: OperationInput = { multi: [['SET', 'a', '1']], watch: ['a'] }
    expect(m.step(m.init(), input, null)).toBe(m.init())
    expect(m.step(m.init(), { multi: [['SET', 'a', '1']] }, null)).toBeUndefined()
    expect(m.step(m.init(), { multi: [['SET', 'a', '1']] }, { error: 'EXECABORT Transaction discarded' })).toBe(
      m.init(),
    )
  })
})

describe('the model as a linearizability model', () => {
  it('matches errors by their code, as scripts decorate messages', () => {
    const state = model.run(model.init(), c('RPUSH', 'l', 'x')).state
    const decorated = {
      error: 'WRONGTYPE Operation against a key holding the wrong kind of value script: 0af, on @user_script:1.',
    }
    expect(model.step(state, s('counter', ['l'], ['1']), decorated)).toBeDefined()
    expect(model.step(state, s('counter', ['l'], ['1']), { error: 'ERR other' })).toBeUndefined()
    expect(model.step(state, s('counter', ['l'], ['1']), 1)).toBeUndefined()
  })

  it('states that hold the same data are equal and hash equally, whatever the path', () => {
    let x = model.init()
    let y = model.init()
    for (const input of [c('SET', 'k', '1'), c('RPUSH', 'l', 'a', 'b'), c('SET', 'j', '2')])
      x = model.run(x, input).state
    for (const input of [
      c('RPUSH', 'l', 'a'),
      c('SET', 'j', '2'),
      c('SET', 'k', '9'),
      c('RPUSH', 'l', 'b'),
      c('SET', 'k', '1'),
    ])
      y = model.run(y, input).state
    expect(model.equal(x, y)).toBe(true)
    expect(model.hash(x)).toBe(model.hash(y))
    const z = model.run(y, c('LPUSH', 'l', 'c')).state
    expect(model.equal(x, z)).toBe(false)
    expect(model.hash(x)).not.toBe(model.hash(z))
  })
})

describe('attachClients', () => {
  it('copies the client into WATCH and MULTI inputs only', () => {
    const history = attachClients([
      { id: 0, client: 7, invoke: 0, return: 1, input: { argv: ['WATCH', 'k'] }, output: 'OK' },
      { id: 1, client: 7, invoke: 2, return: 3, input: { argv: ['GET', 'k'] }, output: null },
      { id: 2, client: 7, invoke: 4, return: 5, input: { multi: [['SET', 'k', '1']], watch: ['k'] }, output: ['OK'] },
    ])
    expect(history.map((op) => op.input)).toEqual([
      { argv: ['WATCH', 'k'], client: 7 },
      { argv: ['GET', 'k'] },
      { multi: [['SET', 'k', '1']], watch: ['k'], client: 7 },
    ])
  })
})
