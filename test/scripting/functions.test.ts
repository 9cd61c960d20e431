/**
 * Functions in process: an FCALL takes the database lock once however many redis.call its function makes (inside
 * EXEC, none of its own), nothing another client sends lands between two of its calls, busy functions get Redis 7.0's
 * BUSY / FUNCTION KILL / UNKILLABLE behaviour (and SCRIPT KILL / FUNCTION KILL each stop only their own kind), a load
 * that never ends is stopped even on a clock that does not move, library state is per engine and per load, and DUMP /
 * RESTORE round-trip, the 7.0 release candidates' payload format included.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine, type EngineOptions } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { crc64LittleEndian } from '../../src/persistence/crc64.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { scriptingHost } from '../../src/scripting/lua-host.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { respText } from '../helpers.ts'
import { GateSeam, TickingClock, turn } from './helpers.ts'

function engine(options: EngineOptions = {}): Engine {
  return new Engine({ random: seededRandom(1), logger: memoryLogger(), ...options })
}

const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`

const MANY_CALLS = lib(
  'many',
  "redis.register_function('many', function(keys, args)\n" +
    "  for i = 1, tonumber(args[1]) - 1 do redis.call('INCR', keys[1]) end\n" +
    "  return redis.call('GET', keys[1])\n" +
    'end)',
)

describe('an FCALL takes the lock exactly once', () => {
  for (const calls of [1, 2, 50]) {
    it(`a function making ${calls} redis.call: one acquisition`, async () => {
      const e = engine()
      const c = new LocalConnection(e)
      expect(respText(await c.call('FUNCTION', 'LOAD', MANY_CALLS))).toBe('$4\r\nmany\r\n')
      const before = e.lock.acquisitions
      const reply = respText(await c.call('FCALL', 'many', 1, 'n', calls))
      expect(reply).toBe(calls === 1 ? '$-1\r\n' : `$${String(calls - 1).length}\r\n${calls - 1}\r\n`)
      expect(e.lock.acquisitions - before).toBe(1)
      expect(e.lock.holder).toBeNull()
    })
  }

  it("FCALL inside EXEC runs under EXEC's lease: one acquisition for the whole transaction", async () => {
    const e = engine()
    const c = new LocalConnection(e)
    await c.call('FUNCTION', 'LOAD', MANY_CALLS)
    await c.call('MULTI')
    await c.call('FCALL', 'many', 1, 'n', 5)
    await c.call('SET', 'x', '1')
    await c.call('FCALL', 'many', 1, 'n', 5)
    const before = e.lock.acquisitions
    expect(respText(await c.call('EXEC'))).toBe('*3\r\n$1\r\n4\r\n+OK\r\n$1\r\n8\r\n')
    expect(e.lock.acquisitions - before).toBe(1)
    expect(e.lock.holder).toBeNull()
  })
})

describe('another client cannot write between two calls of a function', () => {
  it('SET key 999 sent while the function is parked at its write lands after it', async () => {
    const seam = new GateSeam(new Set(['script-call']))
    const e = engine({ seam })
    const a = new LocalConnection(e)
    const b = new LocalConnection(e)
    await a.call(
      'FUNCTION',
      'LOAD',
      lib(
        'rsw',
        "redis.register_function('rsw', function(keys)\n" +
          "  local v = tonumber(redis.call('GET', keys[1]))\n" +
          "  redis.call('SET', keys[1], v + 1)\n" +
          '  return v + 1\n' +
          'end)',
      ),
    )
    await a.call('SET', 'key', '1')
    const order: string[] = []
    const note = (who: string) => (reply: Reply) => {
      order.push(who)
      return reply
    }
    const called = a.call('FCALL', 'rsw', 1, 'key').then(note('function'))
    ;(await seam.waitFor(1)).release()
    await seam.waitFor(2)
    const other = b.call('SET', 'key', '999').then(note('set'))
    for (let i = 0; i < 20; i++) await turn()
    expect(order).toEqual([])
    seam.parked[1].release()
    await Promise.all([called, other])
    expect(order).toEqual(['function', 'set'])
    expect(respText(await b.call('GET', 'key'))).toBe('$3\r\n999\r\n')
  })
})

const BUSY_FUNCTION = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n'
const BUSY_EVAL = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n'
const UNKILLABLE =
  '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script ' +
  'termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n'
const NOTBUSY = '-NOTBUSY No scripts in execution right now.\r\n'

const LOOPS = lib(
  'loops',
  "redis.register_function('loop', function(keys, args)\n  while true do end\nend)\n" +
    "redis.register_function('write_then_loop', function(keys, args)\n  redis.call('SET', 'k', 'v')\n  while true do end\nend)",
)

const busyLog = memoryLogger()

function busyEngine(): Engine {
  const e = engine({ clock: new TickingClock(10), config: { 'busy-reply-threshold': '50' }, logger: busyLog })
  e.yieldToEventLoop = turn
  return e
}

async function untilBusy(e: Engine): Promise<void> {
  const host = scriptingHost(e)
  for (let i = 0; i < 10_000 && !host.current?.busy; i++) await turn()
  if (!host.current?.busy) throw new Error('the function never became busy')
}

describe('time inside EXEC', () => {
  it("a function or script queued in MULTI judges expiry at the EXEC's instant, as the transaction's commands do", async () => {
    // Every clock read moves time 10 ms: a key given 11 ms at the start of the EXEC would be gone by the time a
    // script inside it started, if the script took its own instant.
    const e = engine({ clock: new TickingClock(10) })
    const c = new LocalConnection(e)
    await c.call(
      'FUNCTION',
      'LOAD',
      lib('reader', "redis.register_function('read', function(keys) return redis.call('GET', keys[1]) end)"),
    )
    await c.call('SET', 'k', 'v')
    await c.call('MULTI')
    await c.call('PEXPIRE', 'k', '11')
    await c.call('FCALL', 'read', 1, 'k')
    await c.call('EVAL', "return redis.call('GET', KEYS[1])", 1, 'k')
    await c.call('GET', 'k')
    expect(respText(await c.call('EXEC'))).toBe('*4\r\n:1\r\n$1\r\nv\r\n$1\r\nv\r\n$1\r\nv\r\n')
    expect(respText(await c.call('GET', 'k'))).toBe('$-1\r\n')
  })
})

describe('busy functions', () => {
  it('others get the FUNCTION KILL flavour of BUSY; SCRIPT KILL refuses; FUNCTION STATS names it; FUNCTION KILL ends it', async () => {
    const e = busyEngine()
    const a = new LocalConnection(e)
    const b = new LocalConnection(e)
    await a.call('FUNCTION', 'LOAD', LOOPS)
    const looping = a.call('FCALL', 'loop', 1, 'some-key', 'an-arg')
    await untilBusy(e)
    expect(respText(await b.call('PING'))).toBe(BUSY_FUNCTION)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(BUSY_FUNCTION)
    const stats = respText(await b.call('FUNCTION', 'STATS'))
    expect(stats).toMatch(
      /^\*4\r\n\$14\r\nrunning_script\r\n\*6\r\n\$4\r\nname\r\n\$4\r\nloop\r\n\$7\r\ncommand\r\n\*5\r\n\$5\r\nFCALL\r\n\$4\r\nloop\r\n\$1\r\n1\r\n\$8\r\nsome-key\r\n\$6\r\nan-arg\r\n\$11\r\nduration_ms\r\n:\d+\r\n/,
    )
    expect(
      stats.endsWith(
        '$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n',
      ),
    ).toBe(true)
    expect(respText(await b.call('FUNCTION', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toBe(
      '-ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:3.\r\n',
    )
    expect(respText(await b.call('FUNCTION', 'KILL'))).toBe(NOTBUSY)
    expect(respText(await b.call('PING'))).toBe('+PONG\r\n')
    expect(e.lock.holder).toBeNull()
    expect(
      busyLog.lines.some((l) => l.message.includes('using the FUNCTION KILL command. Script name is: loop.')),
    ).toBe(true)
  })

  it('after a write FUNCTION KILL answers UNKILLABLE, and SHUTDOWN NOSAVE stops it', async () => {
    const e = busyEngine()
    const a = new LocalConnection(e)
    const b = new LocalConnection(e)
    await a.call('FUNCTION', 'LOAD', LOOPS)
    const looping = a.call('FCALL', 'write_then_loop', 0)
    await untilBusy(e)
    expect(respText(await b.call('FUNCTION', 'KILL'))).toBe(UNKILLABLE)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(UNKILLABLE)
    await b.call('SHUTDOWN', 'NOSAVE')
    expect(respText(await looping)).toMatch(/^-ERR Script killed/)
    expect(e.lock.holder).toBeNull()
  })

  it('while an EVAL is busy FUNCTION KILL and FUNCTION STATS answer the SCRIPT KILL flavour of BUSY', async () => {
    const e = busyEngine()
    const a = new LocalConnection(e)
    const b = new LocalConnection(e)
    const looping = a.call('EVAL', 'while true do end', 0)
    await untilBusy(e)
    expect(respText(await b.call('FUNCTION', 'KILL'))).toBe(BUSY_EVAL)
    expect(respText(await b.call('FUNCTION', 'STATS'))).toBe(BUSY_EVAL)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toMatch(/^-ERR Script killed by user with SCRIPT KILL/)
  })
})

describe('loading', () => {
  it('a library that never returns is stopped with the load timeout even when the clock does not move', async () => {
    const e = engine({ clock: new ManualClock() })
    const c = new LocalConnection(e)
    expect(respText(await c.call('FUNCTION', 'LOAD', lib('spin', 'while true do end')))).toBe(
      '-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n',
    )
    // The loading hook is gone: a function that runs long afterwards is not stopped by it.
    await c.call(
      'FUNCTION',
      'LOAD',
      lib(
        'long',
        "redis.register_function('long', function() local n = 0 for i = 1, 3000000 do n = n + 1 end return n end)",
      ),
    )
    expect(respText(await c.call('FCALL', 'long', 0))).toBe(':3000000\r\n')
  })

  it("a library's local state lives as long as the load, and is not shared between engines", async () => {
    const code = lib('ctr', "local n = 0\nredis.register_function('next', function() n = n + 1 return n end)")
    const e1 = engine()
    const e2 = engine()
    const a = new LocalConnection(e1)
    const b = new LocalConnection(e2)
    await a.call('FUNCTION', 'LOAD', code)
    await b.call('FUNCTION', 'LOAD', code)
    expect(respText(await a.call('FCALL', 'next', 0))).toBe(':1\r\n')
    expect(respText(await a.call('FCALL', 'next', 0))).toBe(':2\r\n')
    expect(respText(await b.call('FCALL', 'next', 0))).toBe(':1\r\n')
    await a.call('FUNCTION', 'LOAD', 'REPLACE', code)
    expect(respText(await a.call('FCALL', 'next', 0))).toBe(':1\r\n')
  })

  it('SCRIPT FLUSH leaves functions alone; FUNCTION FLUSH leaves cached scripts alone', async () => {
    const c = new LocalConnection(engine())
    await c.call('FUNCTION', 'LOAD', MANY_CALLS)
    const sha = respText(await c.call('SCRIPT', 'LOAD', 'return 1'))
    await c.call('SCRIPT', 'FLUSH')
    expect(respText(await c.call('FCALL', 'many', 1, 'n', 1))).toBe('$-1\r\n')
    await c.call('SCRIPT', 'LOAD', 'return 1')
    await c.call('FUNCTION', 'FLUSH')
    expect(respText(await c.call('SCRIPT', 'EXISTS', sha.split('\r\n')[1]))).toBe('*1\r\n:1\r\n')
    expect(respText(await c.call('FCALL', 'many', 1, 'n', 1))).toBe('-ERR Function not found\r\n')
  })
})

describe('INFO memory', () => {
  it('counts functions and libraries and grows used_memory_functions with them', async () => {
    const c = new LocalConnection(engine())
    const field = async (name: string): Promise<number> => {
      const info = respText(await c.call('INFO', 'memory'))
      const match = new RegExp(`\r\n${name}:(\\d+)\r\n`).exec(info)
      if (!match) throw new Error(`no ${name} in INFO`)
      return Number(match[1])
    }
    expect(await field('number_of_functions')).toBe(0)
    expect(await field('used_memory_functions')).toBe(200)
    await c.call('FUNCTION', 'LOAD', LOOPS)
    expect(await field('number_of_functions')).toBe(2)
    expect(await field('number_of_libraries')).toBe(1)
    expect(await field('used_memory_functions')).toBeGreaterThan(200 + LOOPS.length)
    await c.call('FUNCTION', 'FLUSH')
    expect(await field('number_of_libraries')).toBe(0)
    expect(await field('used_memory_functions')).toBe(200)
  })
})

/** A payload as Redis frames one: the entries, RDB version 10, CRC-64. */
function payload(...entries: Buffer[]): Buffer {
  const body = Buffer.concat([...entries, Buffer.from([10, 0])])
  return Buffer.concat([body, crc64LittleEndian(body)])
}

function rdbString(s: string): Buffer {
  const bytes = Buffer.from(s)
  if (bytes.length >= 64) throw new Error('short strings only')
  return Buffer.concat([Buffer.from([bytes.length]), bytes])
}

describe('FUNCTION DUMP and RESTORE', () => {
  it('round-trips, with every restore policy', async () => {
    const c = new LocalConnection(engine())
    await c.call('FUNCTION', 'LOAD', MANY_CALLS)
    const dumped = (await c.call('FUNCTION', 'DUMP')) as Buffer
    expect(respText(await c.call('FUNCTION', 'RESTORE', dumped))).toBe('-ERR Library many already exists\r\n')
    expect(respText(await c.call('FUNCTION', 'RESTORE', dumped, 'REPLACE'))).toBe('+OK\r\n')
    await c.call('FUNCTION', 'LOAD', lib('other', "redis.register_function('other', function() return 1 end)"))
    expect(respText(await c.call('FUNCTION', 'RESTORE', dumped, 'FLUSH'))).toBe('+OK\r\n')
    expect(respText(await c.call('FCALL', 'other', 0))).toBe('-ERR Function not found\r\n')
    expect(respText(await c.call('FCALL', 'many', 1, 'n', 3))).toBe('$1\r\n2\r\n')
    expect(((await c.call('FUNCTION', 'DUMP')) as Buffer).equals(dumped)).toBe(true)
  })

  it("reads the 7.0 release candidates' format (opcode 246: name, engine, description, code)", async () => {
    const c = new LocalConnection(engine())
    const old = payload(
      Buffer.from([246]),
      rdbString('oldlib'),
      rdbString('LUA'),
      Buffer.from([1]),
      rdbString('a description'),
      rdbString("redis.register_function('old', function() return 'old' end)"),
    )
    expect(respText(await c.call('FUNCTION', 'RESTORE', old))).toBe('+OK\r\n')
    expect(respText(await c.call('FCALL', 'old', 0))).toBe('$3\r\nold\r\n')
  })

  it('refuses bad payloads with Redis errors and changes nothing', async () => {
    const c = new LocalConnection(engine())
    await c.call('FUNCTION', 'LOAD', MANY_CALLS)
    const good = (await c.call('FUNCTION', 'DUMP')) as Buffer
    const corrupt = Buffer.from(good)
    corrupt[5] ^= 0xff
    expect(respText(await c.call('FUNCTION', 'RESTORE', corrupt))).toBe(
      '-ERR DUMP payload version or checksum are wrong\r\n',
    )
    const newer = Buffer.concat([Buffer.from([245]), rdbString('x'), Buffer.from([11, 0])])
    expect(respText(await c.call('FUNCTION', 'RESTORE', Buffer.concat([newer, crc64LittleEndian(newer)])))).toBe(
      '-ERR DUMP payload version or checksum are wrong\r\n',
    )
    expect(respText(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([0]), rdbString('k'))))).toBe(
      '-ERR given type is not a function\r\n',
    )
    // A string claiming more bytes than the payload holds.
    expect(respText(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([245, 0x80, 0x7f, 0, 0, 0]))))).toBe(
      '-ERR Failed loading library payload\r\n',
    )
    // An LZF string claiming a gigabyte: refused without allocating it.
    expect(
      respText(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([245, 0xc3, 2, 0x80, 0x40, 0, 0, 0, 0, 0x61])))),
    ).toBe('-ERR Failed loading library payload\r\n')
    expect(respText(await c.call('FUNCTION', 'RESTORE', payload(Buffer.from([245]), rdbString('return 1'))))).toBe(
      '-ERR Missing library metadata\r\n',
    )
    expect(respText(await c.call('FCALL', 'many', 1, 'n', 2))).toBe('$1\r\n1\r\n')
  })
})
