/**
 * Sandbox escape attempts and resource limits. Each attempt must fail with a clear error reply (Redis's wording where
 * Redis has one) and the server must keep serving: after every attempt the same connection gets PONG and a normal
 * script still runs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_REPLY_DEPTH } from '../../src/scripting/conversions.ts'
import { scriptLimits } from '../../src/scripting/lua51/fengari-patches.ts'
import { testEngine } from '../helpers.ts'

/** `-ERR <message> script: <sha>, on @user_script:1.` */
function scriptError(message: string, prefix = 'user_script:1: '): RegExp {
  const escaped = (prefix + message).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^-ERR ${escaped} script: [0-9a-f]{40}, on @user_script:1\\.\\r\\n$`)
}

const nonexistent = (name: string) => scriptError(`Script attempted to access nonexistent global variable '${name}'`)
const readonly = scriptError('Attempt to modify a readonly table')
const readonlyFromC = scriptError('Attempt to modify a readonly table', '')

const ESCAPES: Array<[name: string, script: string, expected: RegExp | string]> = [
  ['run a shell command through os', "return os.execute('id')", nonexistent('os')],
  ['open a file through io', "return io.open('/etc/passwd')", nonexistent('io')],
  ['load a module with require', "return require('os')", nonexistent('require')],
  ['reach the registry through debug', 'return debug.getregistry()', nonexistent('debug')],
  ['read the environment with getfenv', 'return getfenv(0)', nonexistent('getfenv')],
  ['replace an environment with setfenv', 'setfenv(1, {})', nonexistent('setfenv')],
  ['make a userdata with newproxy', 'return newproxy(true)', nonexistent('newproxy')],
  ['run a file with dofile', "return dofile('/etc/passwd')", nonexistent('dofile')],
  [
    'dump a function to bytecode',
    'return string.dump(function() end)',
    scriptError("attempt to call field 'dump' (a nil value)"),
  ],
  [
    'load bytecode with loadstring',
    "local f, err = loadstring('\\27LuaQ') return {tostring(f), err ~= nil}",
    '*2\r\n$3\r\nnil\r\n:1\r\n',
  ],
  [
    'send bytecode as the script itself',
    '\x1bLuaQ',
    /^-ERR Error compiling script \(new function\): user_script:1: unexpected symbol/,
  ],
  ['define a global', 'x = 1', readonly],
  ['define a global with rawset', "rawset(_G, 'x', 1)", readonlyFromC],
  ['define a global through table.insert', 'table.insert(_G, 1)', readonlyFromC],
  ['drop the globals metatable', 'setmetatable(_G, nil)', readonlyFromC],
  ['replace redis.call', 'redis.call = function() return 1 end', readonly],
  ['empty the redis table', 'for k in pairs(redis) do redis[k] = nil end', readonly],
  ['replace a library function', 'string.rep = nil', readonly],
  ['remove a library function with rawset', "rawset(string, 'upper', nil)", readonlyFromC],
  ['hijack every string method', "getmetatable('').__index = {upper = function() return 'pwned' end}", readonly],
  ['add a metamethod to all strings', "getmetatable('').__add = function() return 1 end", readonly],
  ['replace math.random', 'math.random = function() return 4 end', readonly],
  ['replace KEYS', 'KEYS = {}', readonly],
  [
    'write a global through a __newindex metamethod',
    'local t = setmetatable({}, {__newindex = function(t, k, v) rawset(_G, k, v) end}) t.x = 1',
    readonlyFromC,
  ],
  [
    'write a global from a loadstring chunk',
    "local f = assert(loadstring('x = 1')) f()",
    /Attempt to modify a readonly table/,
  ],
  [
    'yield out of the script',
    'coroutine.yield()',
    /^-ERR attempt to yield across metamethod\/C-call boundary script: /,
  ],
  ['recurse forever', 'local function f() return f() + 1 end return f()', scriptError('stack overflow')],
  [
    'recurse through a metamethod',
    'return setmetatable({}, {__index = function(t, k) return t[k] end})[1]',
    scriptError('C stack overflow'),
  ],
  ['build a huge string with string.rep', "return #string.rep('x', 2^31)", scriptError('string length overflow')],
  [
    'build a huge string by doubling',
    "local s = 'x' while true do s = s .. s end",
    scriptError('string length overflow'),
  ],
  ['unpack a huge range', 'return unpack({1, 2, 3}, 1, 1e8)', scriptError('too many results to unpack')],
  [
    'format with a huge width',
    "return string.format('%99999999d', 1)",
    scriptError('invalid format (width or precision too long)'),
  ],
  [
    'return a table that contains itself',
    'local t = {} t[1] = t return t',
    // As Redis does (at depth 7995 there): nested one-element arrays down to the error.
    new RegExp(`^(\\*1\\r\\n){${MAX_REPLY_DEPTH}}-ERR reached lua stack limit\\r\\n$`),
  ],
  [
    'raise an error object whose __tostring raises',
    "error(setmetatable({}, {__tostring = function() error('nested') end}))",
    /^-ERR /,
  ],
]

describe('sandbox escape attempts', () => {
  const t = testEngine()
  // Keep the doubling attempt quick: strings are capped by proto-max-bulk-len (1 MB here rather than 512 MB).
  const configured = t.resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')

  it('has at least twenty of them', () => {
    expect(ESCAPES.length).toBeGreaterThanOrEqual(20)
  })

  for (const [name, script, expected] of ESCAPES) {
    it(`${name}: refused, and the server keeps serving`, async () => {
      await configured
      const reply = await t.resp('EVAL', script, 0)
      if (typeof expected === 'string') expect(reply).toBe(expected)
      else expect(reply).toMatch(expected)
      expect(await t.resp('PING')).toBe('+PONG\r\n')
      expect(await t.resp('EVAL', "return redis.call('ECHO', 'still here')", 0)).toBe('$10\r\nstill here\r\n')
      expect(t.engine.lock.holder).toBeNull()
    })
  }
})

describe('limits', () => {
  const savedTableLimit = scriptLimits.maxTableEntries
  afterEach(() => {
    scriptLimits.maxTableEntries = savedTableLimit
  })

  it('a string one byte over proto-max-bulk-len cannot be built; one at the limit can', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')
    expect(await t.resp('EVAL', "return #string.rep('x', 1024 * 1024)", 0)).toBe(':1048576\r\n')
    expect(await t.resp('EVAL', "return #string.rep('x', 1024 * 1024 + 1)", 0)).toMatch(
      scriptError('string length overflow'),
    )
    expect(await t.resp('EVAL', "return #(string.rep('x', 1024 * 1024) .. 'y')", 0)).toMatch(
      scriptError('string length overflow'),
    )
    // A reply built from values the script received is capped the same way.
    expect(await t.resp('EVAL', 'return #table.concat({ARGV[1], ARGV[1]})', 0, 'x'.repeat(600_000))).toMatch(
      /string length overflow/,
    )
  })

  it('outside a script the limit is lifted: keys longer than the script cap are still readable', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')
    await t.resp('SET', 'big', 'y'.repeat(1024 * 1024))
    expect(await t.resp('EVAL', "return #redis.call('GET', 'big')", 0)).toBe(':1048576\r\n')
    expect(await t.resp('STRLEN', 'big')).toBe(':1048576\r\n')
  })

  it('runaway table growth stops at the table limit with an error', async () => {
    const t = testEngine()
    scriptLimits.maxTableEntries = 10_000
    expect(await t.resp('EVAL', 'local t = {} for i = 1, 1e9 do t[i] = i end', 0)).toMatch(
      scriptError('table overflow'),
    )
    expect(await t.resp('EVAL', "local t = {} for i = 1, 1e9 do t['k' .. i] = i end", 0)).toMatch(
      scriptError('table overflow'),
    )
    expect(await t.resp('PING')).toBe('+PONG\r\n')
  })

  it("deeply nested replies convert without recursion, up to MAX_REPLY_DEPTH, then carry Redis's error", async () => {
    const t = testEngine()
    const nested = (n: number) =>
      t.conn.call('EVAL', `local t = {} local c = t for i = 1, ${n} do local x = {} c[1] = x c = x end return t`, 0)
    const innermost = (reply: unknown): { depth: number; value: unknown } => {
      let depth = 0
      let value = reply
      while (Array.isArray(value)) {
        depth++
        value = value[0]
      }
      return { depth, value }
    }
    expect(innermost(await nested(MAX_REPLY_DEPTH - 2))).toEqual({ depth: MAX_REPLY_DEPTH - 1, value: undefined })
    const deep = innermost(await nested(MAX_REPLY_DEPTH + 50))
    expect(deep.depth).toBe(MAX_REPLY_DEPTH)
    expect((deep.value as { message: string }).message).toBe('ERR reached lua stack limit')
    expect(await t.resp('PING')).toBe('+PONG\r\n')
  })

  it('recursion is bounded at Lua 5.1 depth: 19999 nested calls work, 20000 fail', async () => {
    const t = testEngine()
    const recurse = (n: number) =>
      t.resp('EVAL', `local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(${n})`, 0)
    expect(await recurse(19998)).toBe(':19998\r\n')
    expect(await recurse(19999)).toMatch(scriptError('stack overflow'))
  })
})
