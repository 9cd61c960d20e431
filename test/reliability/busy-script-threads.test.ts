/**
 * Busy scripts running inside the Lua threads a script creates (coroutine.wrap, coroutine.resume, nested ones) and
 * inside callbacks of library functions (a table.sort comparator, a string.gsub function, table.foreach): the count
 * hook runs there too, so
 * past busy-reply-threshold other clients get BUSY, SCRIPT KILL stops a script that has not written and answers
 * UNKILLABLE to one that has, and only SHUTDOWN NOSAVE ends the latter. No script is ever stopped on a timer: one
 * that wrote, then stays busy inside a coroutine or a comparator, finishes and makes its later writes.
 *
 * Before, such a script froze the server (no BUSY, SCRIPT KILL answered NOTBUSY), and was stopped after another
 * busy-reply-threshold with an error of redsim's own, after its first write and before its second.
 *
 * In process (a clock that ticks as it is read), over TCP against redsim, and the same TCP sequences against
 * redis-server, compared byte for byte.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { scriptingHost } from '../../src/scripting/lua-host.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { describeDifferential } from '../differential/harness.ts'
import { RawClient } from '../differential/raw-client.ts'
import { startRedis } from '../differential/redis-process.ts'
import { respText } from '../helpers.ts'
import { GateSeam, TickingClock, turn } from '../scripting/helpers.ts'

const BUSY = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n'
const UNKILLABLE =
  '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script ' +
  'termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n'
const NOTBUSY = '-NOTBUSY No scripts in execution right now.\r\n'

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

function killedReply(script: string): string {
  return `-ERR Script killed by user with SCRIPT KILL... script: ${sha1(script)}, on @user_script:1.\r\n`
}

/** Scripts that loop forever somewhere other than in their own top-level code. */
const LOOPS: Record<string, string> = {
  'a coroutine.wrap function': 'coroutine.wrap(function() while true do end end)()',
  'a coroutine run by coroutine.resume': 'coroutine.resume(coroutine.create(function() while true do end end))',
  'a coroutine inside a coroutine':
    'coroutine.wrap(function() local inner = coroutine.wrap(function() while true do end end) inner() end)()',
  'a table.sort comparator':
    'local t = {} for i = 1, 100 do t[i] = i end table.sort(t, function(a, b) while true do end end)',
  'a table.foreach callback': 'table.foreach({1}, function() while true do end end)',
  'a string.gsub replacement function': "string.gsub('a', 'a', function() while true do end end)",
  'a __tostring metamethod called by tostring':
    'return tostring(setmetatable({}, {__tostring = function() while true do end end}))',
  'a comparator of a sort inside a coroutine':
    'coroutine.wrap(function() table.sort({1, 2, 3}, function(a, b) while true do end end) end)()',
}

/**
 * The looping script's reply after SCRIPT KILL: the kill error, raised in the thread the script was in. Through
 * coroutine.resume that error is only resume's result (false and the error table), and the script then ends normally
 * before its next hook slice, so Redis replies with its return value (nil here).
 */
function afterKill(script: string): string {
  return script.startsWith('coroutine.resume(') ? '$-1\r\n' : killedReply(script)
}

/**
 * A script that writes, stays busy for about 3,000,000 instructions inside a coroutine or a comparator (30 hook
 * slices: far past twice the threshold on the ticking clock), then writes again.
 */
const WRITE_BUSY_WRITE: Record<string, string> = {
  coroutine:
    "redis.call('SET', 'a', '1') coroutine.wrap(function() for i = 1, 3000000 do end end)() " +
    "redis.call('SET', 'b', '2') return 'done'",
  comparator:
    "redis.call('SET', 'a', '1') local t = {2, 1} table.sort(t, function(x, y) for i = 1, 3000000 do end return x < y end) " +
    "redis.call('SET', 'b', '2') return 'done'",
}

/** An engine whose clock moves 10 ms per read, with a 50 ms threshold and the event-loop yield installed. */
function busyEngine(): Engine {
  const engine = new Engine({
    clock: new TickingClock(10),
    random: seededRandom(1),
    logger: memoryLogger(),
    config: { 'busy-reply-threshold': '50' },
  })
  engine.yieldToEventLoop = turn
  return engine
}

async function untilBusy(engine: Engine): Promise<void> {
  const host = scriptingHost(engine)
  for (let i = 0; i < 10_000 && !host.current?.busy; i++) await turn()
  if (!host.current?.busy) throw new Error('the script never became busy')
}

describe('busy scripts in coroutines and callbacks, in process', () => {
  for (const [where, script] of Object.entries(LOOPS)) {
    it(`a loop in ${where}: others get BUSY and SCRIPT KILL stops it`, async () => {
      const engine = busyEngine()
      const a = new LocalConnection(engine)
      const b = new LocalConnection(engine)
      const looping = a.call('EVAL', script, 0)
      await untilBusy(engine)
      expect(respText(await b.call('PING'))).toBe(BUSY)
      expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
      expect(respText(await looping)).toBe(afterKill(script))
      expect(respText(await b.call('PING'))).toBe('+PONG\r\n')
      expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(NOTBUSY)
      expect(engine.lock.holder).toBeNull()
    })
  }

  it('a kill inside a resumed coroutine is its resumer’s result, as in Redis: a script that ends soon after replies', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const script =
      'local ok, e = coroutine.resume(coroutine.create(function() while true do end end)) return {tostring(ok), type(e)}'
    const looping = a.call('EVAL', script, 0)
    await untilBusy(engine)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toBe('*2\r\n$5\r\nfalse\r\n$5\r\ntable\r\n')
  })

  for (const [where, script] of Object.entries(WRITE_BUSY_WRITE)) {
    it(`a script that wrote and stays busy in a ${where} is UNKILLABLE, never stopped, and makes its second write`, async () => {
      const engine = busyEngine()
      const a = new LocalConnection(engine)
      const b = new LocalConnection(engine)
      const running = a.call('EVAL', script, 0)
      await untilBusy(engine)
      expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(UNKILLABLE)
      expect(respText(await b.call('GET', 'a'))).toBe(BUSY)
      expect(respText(await running)).toBe('$4\r\ndone\r\n')
      expect(respText(await b.call('MGET', 'a', 'b'))).toBe('*2\r\n$1\r\n1\r\n$1\r\n2\r\n')
    })
  }

  it('SHUTDOWN NOSAVE stops a script that wrote and loops inside a coroutine', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call('EVAL', "redis.call('SET', 'a', '1') coroutine.wrap(function() while true do end end)()", 0)
    await untilBusy(engine)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(UNKILLABLE)
    await b.call('SHUTDOWN', 'NOSAVE')
    expect(respText(await looping)).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: /)
    expect(scriptingHost(engine).current).toBeNull()
    expect(engine.lock.holder).toBeNull()
  })
})

describe('pauses of the scheduling seam inside coroutines and callbacks', () => {
  // The same path as a busy slice: the redis.call's thread yields, and each coroutine.resume (or the comparator's or
  // replacement function's continuation) on the way passes the yield up to the script's coroutine.
  const cases: Record<string, { script: string; reply: string; calls: number }> = {
    'a coroutine inside a coroutine': {
      script:
        "return coroutine.wrap(function() return coroutine.wrap(function() return redis.call('INCR', 'n') end)() end)()",
      reply: ':1\r\n',
      calls: 1,
    },
    'a table.sort comparator': {
      script: "local t = {2, 1} table.sort(t, function(a, b) redis.call('INCR', 'n') return a < b end) return t",
      reply: '*2\r\n:1\r\n:2\r\n',
      calls: 1,
    },
    'a string.gsub replacement function': {
      script: "return (string.gsub('ab', '%w', function(c) return redis.call('INCR', 'n') end))",
      reply: '$2\r\n12\r\n',
      calls: 2,
    },
  }
  for (const [where, { script, reply, calls }] of Object.entries(cases)) {
    it(`a redis.call in ${where} parks at the seam, and the script goes on from there when released`, async () => {
      const seam = new GateSeam(new Set(['script-call']))
      const engine = new Engine({ random: seededRandom(1), logger: memoryLogger(), seam })
      const running = new LocalConnection(engine).call('EVAL', script, 0)
      for (let i = 1; i <= calls; i++) {
        const parked = await seam.waitFor(i)
        expect(parked.detail).toBe('incr')
        expect(scriptingHost(engine).current).not.toBeNull()
        parked.release()
      }
      expect(respText(await running)).toBe(reply)
      expect(seam.parked).toHaveLength(calls)
    })
  }
})

/** PING until the server answers BUSY (it answers PONG before the script arrives or, in Redis, before it is busy). */
async function pingUntilBusy(c: RawClient): Promise<string> {
  let reply = ''
  for (let i = 0; i < 1000 && reply !== BUSY; i++) reply = await c.call('PING')
  return reply
}

/** A looping script, another client during it, SCRIPT KILL, and after it: every reply in order. */
async function killSequence(port: number, script: string): Promise<string[]> {
  const admin = await RawClient.connect(port)
  const looping = await RawClient.connect(port)
  try {
    const out = [await admin.call('CONFIG', 'SET', 'busy-reply-threshold', '50')]
    looping.command('EVAL', script, '0')
    out.push(await pingUntilBusy(admin))
    out.push(await admin.call('SCRIPT', 'KILL'))
    out.push((await looping.readReply()).toString('latin1'))
    out.push(await admin.call('PING'))
    out.push(await admin.call('SCRIPT', 'KILL'))
    return out
  } finally {
    admin.close()
    looping.close()
  }
}

const WROTE_THEN_LOOPS = "redis.call('SET', 'k', 'v') coroutine.wrap(function() while true do end end)()"

/** A script that wrote loops in a coroutine: UNKILLABLE, BUSY, then SHUTDOWN NOSAVE closes both connections. */
async function unkillableSequence(port: number): Promise<string[]> {
  const admin = await RawClient.connect(port)
  const looping = await RawClient.connect(port)
  try {
    const out = [await admin.call('CONFIG', 'SET', 'busy-reply-threshold', '50')]
    looping.command('EVAL', WROTE_THEN_LOOPS, '0')
    out.push(await pingUntilBusy(admin))
    out.push(await admin.call('SCRIPT', 'KILL'))
    out.push(await admin.call('GET', 'k'))
    out.push(await admin.call('SHUTDOWN'))
    admin.command('SHUTDOWN', 'NOSAVE')
    out.push(`admin until close: ${JSON.stringify((await admin.readUntilClose()).toString('latin1'))}`)
    out.push(`looping until close: ${JSON.stringify((await looping.readUntilClose()).toString('latin1'))}`)
    return out
  } finally {
    admin.close()
    looping.close()
  }
}

function expectedKillSequence(script: string): string[] {
  return ['+OK\r\n', BUSY, '+OK\r\n', afterKill(script), '+PONG\r\n', NOTBUSY]
}

describe('busy scripts in coroutines and callbacks, over TCP', () => {
  let server: RedsimServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  for (const [where, script] of Object.entries(LOOPS)) {
    it(`a loop in ${where}: BUSY, SCRIPT KILL, the kill error, then PONG and NOTBUSY`, async () => {
      server = await createServer({ port: 0, logger: memoryLogger() })
      expect(await killSequence(server.port, script)).toEqual(expectedKillSequence(script))
    })
  }

  it('a script that wrote and loops in a coroutine: UNKILLABLE, and SHUTDOWN NOSAVE ends it', async () => {
    server = await createServer({ port: 0, logger: memoryLogger() })
    const replies = await unkillableSequence(server.port)
    expect(replies.slice(0, 5)).toEqual(['+OK\r\n', BUSY, UNKILLABLE, BUSY, BUSY])
    expect(replies[5]).toBe('admin until close: ""')
  })
})

describeDifferential('differential: busy scripts in coroutines and callbacks', (pair) => {
  for (const [where, script] of Object.entries(LOOPS)) {
    it(`a loop in ${where}`, async () => {
      const expected = await killSequence(pair().expectedPort, script)
      const actual = await killSequence(pair().actualPort, script)
      expect(actual).toEqual(expected)
    })
  }

  it('a kill inside a resumed coroutine, the script ending normally afterwards', async () => {
    const script =
      'local ok, e = coroutine.resume(coroutine.create(function() while true do end end)) return {tostring(ok), type(e)}'
    expect(await killSequence(pair().actualPort, script)).toEqual(await killSequence(pair().expectedPort, script))
  })

  it('a script that wrote and loops in a coroutine, until SHUTDOWN NOSAVE (fresh servers: both exit)', async () => {
    const redis = await startRedis()
    const redsim = await createServer({ port: 0, logger: memoryLogger() })
    try {
      const expected = await unkillableSequence(redis.port)
      const actual = await unkillableSequence(redsim.port)
      expect(actual).toEqual(expected)
    } finally {
      await Promise.all([redis.stop(), redsim.close()])
    }
  })
})
