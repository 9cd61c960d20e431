/**
 * Lua library functions that return or receive many values, up to and past Lua 5.1's C stack limit (LUAI_MAXCSTACK,
 * 8000 slots per C function frame, counted with the function's own arguments). Redis 7.0 is the reference: what fits
 * is returned, what does not fails with 5.1's own error ("too many results to unpack", "stack overflow (string slice
 * too long)", ...), catchable by pcall. Before, string.byte of 20 characters or more failed with an uncatchable
 * "function: 0x..." error.
 *
 * In process, a handful of these with the replies redis-server gives (so they run without redis-server); then every
 * probe against redis-server and redsim, byte for byte.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { describeDifferential, differentialCases, type StepInput } from '../differential/harness.ts'
import { respText } from '../helpers.ts'

const ev = (script: string): StepInput => ['EVAL', script, '0']

/** A table `a` holding 1..n, then `body`. */
const withArray = (n: number, body: string): string => `local a = {} for i = 1, ${n} do a[i] = i end ${body}`

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/** Redis 7.0's reply for a script that raised `message` from its line 1. */
function scriptError(script: string, message: string): string {
  return `-ERR user_script:1: ${message} script: ${sha1(script)}, on @user_script:1.\r\n`
}

describe('Lua functions with many results, in process (replies as redis-server gives them)', () => {
  const conn = new LocalConnection(new Engine({ random: seededRandom(1), logger: memoryLogger() }))
  const evalText = async (script: string): Promise<string> => respText(await conn.call('EVAL', script, 0))

  it('string.byte returns 20 and more values, up to the limit counted with its 3 arguments', async () => {
    expect(await evalText("return #{string.byte(string.rep('a', 20), 1, -1)}")).toBe(':20\r\n')
    expect(await evalText("return {string.byte('abc', 1, -1)}")).toBe('*3\r\n:97\r\n:98\r\n:99\r\n')
    expect(await evalText("return #{string.byte(string.rep('a', 7997), 1, -1)}")).toBe(':7997\r\n')
    const over = "return #{string.byte(string.rep('a', 7998), 1, -1)}"
    expect(await evalText(over)).toBe(scriptError(over, 'stack overflow (string slice too long)'))
  })

  it('the limit error is an ordinary Lua error that pcall catches', async () => {
    const caught = "return {pcall(string.byte, string.rep('a', 8000), 1, -1)}"
    expect(await evalText(caught)).toBe('*2\r\n$-1\r\n$38\r\nstack overflow (string slice too long)\r\n')
    const fits = "return {pcall(string.byte, string.rep('a', 30), 1, -1)}"
    expect(await evalText(fits)).toBe(`*31\r\n:1\r\n${':97\r\n'.repeat(30)}`)
  })

  it('unpack counts its own arguments: 7999 values from unpack(t), 7997 from unpack(t, 1, n)', async () => {
    expect(await evalText(withArray(7999, 'return #{unpack(a)}'))).toBe(':7999\r\n')
    expect(await evalText(withArray(7999, "return select('#', unpack(a, 1, 7997))"))).toBe(':7997\r\n')
    const over = withArray(7999, "return select('#', unpack(a, 1, 7998))")
    expect(await evalText(over)).toBe(scriptError(over, 'too many results to unpack'))
  })

  it('string.find with 32 captures returns 34 values', async () => {
    expect(await evalText("return #{string.find(string.rep('a', 32), string.rep('(a)', 32))}")).toBe(':34\r\n')
  })

  it('coroutine.resume refuses more results than its frame can hold', async () => {
    const fits = withArray(7998, 'return #{coroutine.resume(coroutine.create(function() return unpack(a) end))}')
    expect(await evalText(fits)).toBe(':7999\r\n')
    const over = withArray(7999, 'return {coroutine.resume(coroutine.create(function() return unpack(a) end))}')
    expect(await evalText(over)).toBe(scriptError(over, 'too many results to resume'))
  })

  it('cmsgpack.pack takes up to 4000 arguments, table.sort up to 7958 extra ones', async () => {
    expect(await evalText(withArray(4000, 'return #cmsgpack.pack(unpack(a))'))).toBe(':11618\r\n')
    const packOver = withArray(4001, 'return #cmsgpack.pack(unpack(a))')
    expect(await evalText(packOver)).toBe(
      scriptError(packOver, "bad argument #0 to 'pack' (Too many arguments for MessagePack pack.)"),
    )
    const sortOver = withArray(7999, 'local t = {3, 2, 1} table.sort(t, nil, unpack(a, 1, 7960)) return t')
    expect(await evalText(sortOver)).toBe(scriptError(sortOver, 'stack overflow ()'))
  })
})

describeDifferential('differential: Lua functions with many results or arguments', (pair) => {
  differentialCases(pair, {
    'string.byte': [
      ev("return #{string.byte(string.rep('a', 19), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 20), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 21), 1, -1)}"),
      ev("return {string.byte(string.rep('a', 25), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 7997), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 7998), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 7997), 1, 7997)}"),
      ev("return #{string.byte(string.rep('a', 7998), 1, 7998)}"),
      ev("return #{string.byte(string.rep('a', 100000), 1, -1)}"),
      ev("return #{string.byte(string.rep('a', 100), -50)}"),
      ev("return select('#', string.byte(string.rep('a', 5000), 1, -1))"),
      ev("return {pcall(string.byte, string.rep('a', 30), 1, -1)}"),
      ev("return {pcall(string.byte, string.rep('a', 8000), 1, -1)}"),
      ev("return #{pcall(string.byte, string.rep('a', 7997), 1, -1)}"),
      ev("return {string.byte('abc', 0, 10)}"),
      ev("return {string.byte('abc', -2)}"),
      ev("return {string.byte('abc', 2.7, 3.9)}"),
      ev("return {string.byte('')}"),
      ev('return {string.byte(123, 1, -1)}'),
    ],
    'unpack and select': [
      ev(withArray(7999, 'return #{unpack(a)}')),
      ev(withArray(8000, 'return #{unpack(a)}')),
      ev(withArray(7998, 'return #{unpack(a, 1)}')),
      ev(withArray(7998, 'return #{unpack(a, 1, 7998)}')),
      ev(withArray(7997, 'return #{unpack(a, 1, 7997)}')),
      ev("return select('#', unpack({}, 1, 7997))"),
      ev("return select('#', unpack({}, 1, 7998))"),
      ev("return select('#', unpack({}, 1, 1e9))"),
      ev("return select('#', unpack({}, -2147483647, 2147483647))"),
      ev("return select('#', unpack({}, 1, 0))"),
      ev(withArray(7999, "return select('#', unpack(a))")),
      ev(withArray(7999, 'return select(7999, unpack(a))')),
      ev(withArray(7999, 'return select(-1, unpack(a))')),
      ev(withArray(7999, 'return {select(7990, unpack(a))}')),
      ev(withArray(7999, 'return #{select(2, unpack(a))}')),
      ev(withArray(7999, 'return #{pcall(unpack, a)}')),
      ev(withArray(7999, "return select('#', pcall(pcall, unpack, a))")),
      ev(withArray(7999, "return {pcall(pcall, error, 'x', unpack(a, 1, 7996))}")),
      ev(withArray(7999, "return {pcall(pcall, error, 'x', unpack(a, 1, 7997))}")),
    ],
    'functions receiving thousands of arguments': [
      ev("local t = {} for i = 1, 7999 do t[i] = 'x' end return #table.concat(t)"),
      ev("local t = {} for i = 1, 100000 do t[i] = 'x' end return #table.concat(t, ',')"),
      ev(withArray(7997, 'for i = 1, #a do a[i] = 65 end return #string.char(unpack(a))')),
      ev(
        "local f = {} for i = 1, 7997 do f[i] = '%d' end local a = {} for i = 1, 7997 do a[i] = i end " +
          'return #string.format(table.concat(f), unpack(a))',
      ),
      ev(withArray(7999, "return string.format('%d', unpack(a))")),
      ev(withArray(7999, 'return math.max(unpack(a))')),
      ev(withArray(7999, 'return math.min(unpack(a))')),
      ev(withArray(7999, 'return #{pcall(function(...) return ... end, unpack(a))}')),
      ev(withArray(7999, "return select('#', (function(...) return ... end)(unpack(a)))")),
      ev(withArray(7999, 'return {pcall(error, unpack(a))}')),
      ev(
        withArray(
          7999,
          "return {xpcall(function(...) return select('#', ...) end, function(e) return e end, unpack(a))}",
        ),
      ),
      ev(withArray(7999, 'return bit.band(unpack(a))')),
      ev(withArray(7999, 'return bit.bor(unpack(a))')),
      ev(withArray(7999, 'return redis.sha1hex(unpack(a))')),
      ev(withArray(7999, "for i = 1, #a do a[i] = 'x' end return redis.call('ECHO', unpack(a))")),
      ev(withArray(7999, 'return type(tostring(unpack(a)))')),
      ev(withArray(7999, 'return tonumber(unpack(a))')),
      ev(withArray(7999, "return select('#', assert(unpack(a)))")),
      ev(withArray(7999, 'return {math.frexp(unpack(a, 1, 7997))}')),
      ev(withArray(7999, 'return {math.frexp(unpack(a, 1, 7998))}')),
      ev(withArray(7999, 'return {next({1}, nil, unpack(a, 1, 7997))}')),
      ev(withArray(7999, 'return {ipairs({1}, unpack(a, 1, 7997))}')),
      ev(withArray(7999, 'return {table.remove({1}, unpack(a, 1, 7997))}')),
      ev(withArray(7999, "return {loadstring('return +', unpack(a, 1, 7997))}")),
      ev(withArray(7999, 'local t = {3, 2, 1} table.sort(t, nil, unpack(a, 1, 7958)) return t')),
      ev(withArray(7999, 'local t = {3, 2, 1} table.sort(t, nil, unpack(a, 1, 7959)) return t')),
      ev(withArray(7999, 'local t = {3, 2, 1} table.sort(t, nil, unpack(a, 1, 7960)) return t')),
    ],
    'captures of string.find, string.match and string.gmatch': [
      ev("return #{string.find(string.rep('a', 32), string.rep('(a)', 32))}"),
      ev("return #{string.find(string.rep('a', 33), string.rep('(a)', 33))}"),
      ev("return #{string.match(string.rep('a', 32), string.rep('(a)', 32))}"),
      ev("return #{string.match('', string.rep('()', 32))}"),
      ev(withArray(7999, "return #{string.match('abc', '(a)(b)(c)', unpack(a, 1, 7994))}")),
      ev(withArray(7999, "return #{string.match('abc', '(a)(b)(c)', unpack(a, 1, 7995))}")),
      ev(withArray(7999, "return #{string.match('abc', '(a)(b)(c)', unpack(a, 1, 7997))}")),
      ev(withArray(7999, "return {string.find('abc', '(a)(b)(c)', 1, false, unpack(a, 1, 7991))}")),
      ev(withArray(7999, "return {string.find('abc', '(a)(b)(c)', 1, false, unpack(a, 1, 7992))}")),
      ev(withArray(7999, "return {string.find('abc', 'b', 1, true, unpack(a, 1, 7996))}")),
      ev(withArray(7999, "return {string.find('abc', 'x', 1, false, unpack(a, 1, 7996))}")),
      ev(withArray(7999, "local f = string.gmatch('abc', '(a)(b)(c)') return {f(unpack(a, 1, 7997))}")),
      ev(withArray(7999, "local f = string.gmatch('abc', '(a)(b)(c)') return {f(0, unpack(a, 1, 7997))}")),
      ev("local r = {} for w in string.gmatch('one two three', '%a+') do r[#r + 1] = w end return r"),
      ev("local r = {} for p in string.gmatch('abc', '()') do r[#r + 1] = p end return r"),
      ev("local r = {} for k, v in string.gfind('k1=v1, k2=v2', '(%w+)=(%w+)') do r[#r + 1] = k .. v end return r"),
      ev('return string.gmatch == string.gfind'),
    ],
    'coroutines passing many values': [
      ev(withArray(7999, 'return #{coroutine.wrap(function(...) return ... end)(unpack(a))}')),
      ev(
        withArray(
          7999,
          "return {coroutine.resume(coroutine.create(function(...) return select('#', ...) end), unpack(a))}",
        ),
      ),
      ev(withArray(7998, 'return #{coroutine.resume(coroutine.create(function(...) return ... end), unpack(a))}')),
      ev(withArray(7997, 'return #{coroutine.resume(coroutine.create(function(...) return ... end), unpack(a))}')),
      ev(withArray(7999, 'return #{coroutine.resume(coroutine.create(function() return unpack(a) end))}')),
      ev(withArray(7998, 'return #{coroutine.resume(coroutine.create(function() return unpack(a) end))}')),
      ev(withArray(7999, 'return #{coroutine.resume(coroutine.create(function() coroutine.yield(unpack(a)) end))}')),
      ev(withArray(7999, 'return #{coroutine.wrap(function() return unpack(a) end)()}')),
      ev(withArray(7999, 'return #{coroutine.wrap(function() coroutine.yield(unpack(a)) end)()}')),
      ev(
        withArray(
          7999,
          'local co = coroutine.create(function() local x = {coroutine.yield()} return #x end) ' +
            'coroutine.resume(co) return {coroutine.resume(co, unpack(a))}',
        ),
      ),
      ev(withArray(7999, "return {pcall(coroutine.wrap(error), 'x', unpack(a, 1, 7997))}")),
    ],
    'cmsgpack, struct and cjson': [
      ev(withArray(4000, 'return #cmsgpack.pack(unpack(a))')),
      ev(withArray(4001, 'return #cmsgpack.pack(unpack(a))')),
      ev(withArray(4001, 'return {pcall(cmsgpack.pack, unpack(a))}')),
      ev(
        withArray(
          3000,
          'local p = cmsgpack.pack(unpack(a)) local s = p .. p .. cmsgpack.pack(unpack(a, 1, 1998)) ' +
            'return {#{cmsgpack.unpack(s)}, #{cmsgpack.unpack_limit(s, 7997)}, #{cmsgpack.unpack_limit(s, 7996)}}',
        ),
      ),
      ev(
        withArray(
          3000,
          'local p = cmsgpack.pack(unpack(a)) return #{cmsgpack.unpack(p .. p .. cmsgpack.pack(unpack(a, 1, 1999)))}',
        ),
      ),
      ev('return #{cmsgpack.unpack(string.rep(string.char(1), 30))}'),
      ev('return #cmsgpack.pack(cmsgpack.unpack(string.rep(string.char(0x91), 7999) .. string.char(1)))'),
      ev("return #{struct.unpack(string.rep('b', 30), string.rep('a', 30))}"),
      ev("return #{struct.unpack(string.rep('b', 7996), string.rep('a', 7996))}"),
      ev("return #{struct.unpack(string.rep('b', 7997), string.rep('a', 7997))}"),
      ev(withArray(7998, "for i = 1, #a do a[i] = 1 end return #struct.pack(string.rep('b', 7998), unpack(a))")),
      ev(withArray(7999, 'return #cjson.encode(a)')),
      ev(withArray(7999, 'return #{cjson.decode(cjson.encode(a))}')),
      ev("cjson.decode_max_depth(10000) return #cjson.decode(string.rep('[', 7998) .. string.rep(']', 7998))"),
      ev("cjson.decode_max_depth(10000) return #cjson.decode(string.rep('[', 7999) .. string.rep(']', 7999))"),
      ev(
        'cjson.encode_max_depth(10000) local t = {} local c = t for i = 1, 7997 do local x = {} c[1] = x c = x end ' +
          'return #cjson.encode(t)',
      ),
      ev(
        'cjson.encode_max_depth(10000) local t = {} local c = t for i = 1, 7998 do local x = {} c[1] = x c = x end ' +
          'return #cjson.encode(t)',
      ),
      // The depth settings last until SCRIPT FLUSH.
      'SCRIPT FLUSH',
    ],
  })
})
