/**
 * The library functions that call back into Lua, now redsim's own so that the host can pause a script inside the
 * callback (table.sort, string.gsub, table.foreach/foreachi, tostring, the coroutine library), behave as Lua 5.1's:
 * the same comparisons in the same order, the same substitutions (5.1's gsub differs from 5.3's after empty matches),
 * the same errors (a library function called through pcall is '?' in its argument errors), coroutine statuses, error
 * positions and nesting limit. Against redis-server, byte for byte.
 */
import { describeDifferential, differentialCases, type StepInput } from '../differential/harness.ts'

const ev = (script: string): StepInput => ['EVAL', script, '0']

/** `t` filled with n numbers in a scrambled order, then `body`. */
const scrambled = (n: number, body: string): string =>
  `local t = {} for i = 1, ${n} do t[i] = (i * 7919) % ${n} end ${body}`

describeDifferential('differential: library functions calling back into Lua, as Lua 5.1 has them', (pair) => {
  differentialCases(pair, {
    'table.sort results and comparison order': [
      ev(scrambled(200, 'table.sort(t) return t')),
      ev(scrambled(200, 'table.sort(t, function(a, b) return a > b end) return t')),
      ev(scrambled(300, 'local n = 0 table.sort(t, function(a, b) n = n + 1 return a < b end) return n')),
      ev(
        'local n = 0 local t = {} for i = 1, 1000 do t[i] = i % 7 end table.sort(t, function(a, b) n = n + 1 return a < b end) return n',
      ),
      ev(
        'local n = 0 local t = {} for i = 1, 1000 do t[i] = 1000 - i end table.sort(t, function(a, b) n = n + 1 return a < b end) return n',
      ),
      ev(
        "local log = {} local t = {5, 3, 8, 1, 9, 2, 7} table.sort(t, function(a, b) log[#log + 1] = a .. '<' .. b return a < b end) return log",
      ),
      ev('local t = {3, nil, 1} table.sort(t) return t'),
      ev('local t = {1, 2, 3} table.sort(t, nil) return t'),
      ev("local t = {'b', 'a', 'c'} table.sort(t) return t"),
    ],
    'table.sort errors': [
      ev('local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0} return {pcall(table.sort, t, function(a, b) return true end)}'),
      ev('local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0} pcall(table.sort, t, function(a, b) return true end) return t'),
      ev("local t = {3, 1, 'x', 2} return {pcall(table.sort, t)}"),
      ev('local t = {3, 1, 2} table.sort(t, 5)'),
      ev('table.sort(5)'),
      ev('table.sort()'),
      ev("local t = {3, 2, 1} table.sort(t, function(a, b) error('in comparator') end)"),
    ],
    'table.sort reads and writes raw': [
      ev(
        'local t = setmetatable({}, {__index = function(t, k) return k end}) t[1] = 3 t[2] = 1 table.sort(t) return {t[1], t[2]}',
      ),
      ev('local t = setmetatable({3, 1, 2}, {__newindex = function() error("no") end}) table.sort(t) return t'),
    ],
    'string.gsub': [
      ev("return {string.gsub('abc', 'b*', '-')}"),
      ev("return {string.gsub('hello world', 'o*', 'x')}"),
      ev("return {string.gsub('abc', '', '-')}"),
      ev("return {string.gsub('', 'a*', 'x')}"),
      ev("return {string.gsub('abc', '%w', '%0%0')}"),
      ev("return {string.gsub('hello world', '(o)', '[%1]')}"),
      ev("return {string.gsub('x = 1, y = 2', '(%w+) = (%w+)', '%2 = %1')}"),
      ev("return {string.gsub('  trim  ', '^%s*(.-)%s*$', '%1')}"),
      ev("return {string.gsub('abc', '%w', '%1')}"),
      ev("return {string.gsub('abc', '%w', '%2')}"),
      ev("return {string.gsub('abc', 'b', '%')}"),
      ev("return {string.gsub('a.b', '%.', '%%')}"),
      ev("return {string.gsub('abc', '(%w)', function(c) return c:upper() end)}"),
      ev("return {string.gsub('abc', '()', function(p) return p * 10 end)}"),
      ev("return {string.gsub('abc', '()(.)', function(p, c) return c .. p end)}"),
      ev("return {string.gsub('abc', '%w', function(c) if c == 'b' then return false end return 1 end)}"),
      ev("return {pcall(string.gsub, 'abc', '.', function() return {} end)}"),
      ev("return {string.gsub('abc', '%w', {a = 1, b = true})}"),
      ev("return {pcall(string.gsub, 'abc', '.', {a = true})}"),
      ev(
        "local t = setmetatable({}, {__index = function(t, k) return k:upper() end}) return {string.gsub('abc', '%w', t)}",
      ),
      ev("return {string.gsub('abc', '^a', 'x')}"),
      ev("return {string.gsub('abab', '^ab', 'X')}"),
      ev("return {string.gsub('abc', '^', '>')}"),
      ev("return {string.gsub('abc', '$', '<')}"),
      ev("return {string.gsub('abc', 'x*', '-', 2)}"),
      ev("return {string.gsub('abc', '.', 'x', 0)}"),
      ev("return {string.gsub('abc', '.', 'x', 2.9)}"),
      ev("return {string.gsub('abc', '.', 'x', 4294967297)}"),
      ev('return {string.gsub(12345, 3, 9)}'),
      ev("return {string.gsub('a\\0b', '\\0', 'Z')}"),
      ev("return {string.gsub('abc', 'b', 'x\\0y')}"),
      ev("string.gsub('abc', '.', true)"),
      ev("string.gsub('abc', '[a', 'x')"),
      ev("string.gsub('abc', '%', 'x')"),
      ev("string.gsub('abc', ')', 'x')"),
      ev("string.gsub('abc', '%1', 'x')"),
      ev("string.gsub('abc', '%b', 'x')"),
      ev("return {pcall(string.find, 'abc', '%1')}"),
      ev("return {pcall(string.match, 'abc', '(a)%2')}"),
      ev("return {pcall(string.find, 'abc', '%ba')}"),
      ev("return {string.gsub('xyz', 'ab)', '-')}"),
      ev("string.gsub('xaby', 'ab)', '-')"),
      ev("local n = 0 local s = string.gsub(string.rep('a', 1000), 'a', function() n = n + 1 end) return {#s, n}"),
      ev("return #string.gsub(string.rep('ab', 50000), 'a', 'xyz')"),
    ],
    'tostring and __tostring': [
      ev("return tostring(setmetatable({}, {__tostring = function() return 'x' end}))"),
      ev('return type(tostring(setmetatable({}, {__tostring = function() return 1 end})))'),
      ev('return {tostring(setmetatable({}, {__tostring = function() return nil end}))}'),
      ev('return tostring(setmetatable({}, {__tostring = function(t, a) return type(a) end}))'),
      ev("return {pcall(tostring, setmetatable({}, {__tostring = function() error('e') end}))}"),
      ev('return {pcall(tostring, setmetatable({}, {__tostring = 5}))}'),
    ],
    'table.foreach and table.foreachi': [
      ev('local n = 0 table.foreach({1, 2, 3, a = 4}, function(k, v) n = n + v end) return n'),
      ev("return table.foreach({1, 2, 3}, function(k, v) if v == 2 then return 'found' .. k end end)"),
      ev('return table.foreachi({5, 6, 7}, function(i, v) if v == 7 then return i end end)'),
      ev('local n = 0 table.foreachi({5, 6, 7}, function(i, v) n = n + i * v end) return n'),
      ev("table.foreachi({1, 2}, function(i, v) error('at ' .. i) end)"),
    ],
    'coroutine statuses and errors': [
      ev('return coroutine.status(coroutine.create(function() end))'),
      ev(
        'local co = coroutine.create(function() end) coroutine.resume(co) return {coroutine.status(co), coroutine.resume(co)}',
      ),
      ev('local co co = coroutine.create(function() return coroutine.resume(co) end) return {coroutine.resume(co)}'),
      ev('local co co = coroutine.create(function() return coroutine.status(co) end) return {coroutine.resume(co)}'),
      ev(
        'local outer outer = coroutine.create(function() local inner = coroutine.create(function() ' +
          'return coroutine.status(outer) end) return coroutine.resume(inner) end) return {coroutine.resume(outer)}',
      ),
      ev(
        'local outer outer = coroutine.create(function() local inner = coroutine.create(function() ' +
          'return coroutine.resume(outer) end) return coroutine.resume(inner) end) return {coroutine.resume(outer)}',
      ),
      ev("return {pcall(coroutine.wrap(function() error('boom') end))}"),
      ev('return {pcall(coroutine.wrap(function() error(42) end))}'),
      ev('return {pcall(coroutine.wrap(function() error({}) end))}'),
      ev("return {pcall(coroutine.wrap(function() error('boom', 0) end))}"),
      ev("return {coroutine.resume(coroutine.create(function() error('boom') end))}"),
      ev(
        'local f = coroutine.wrap(function(a, b) local c = coroutine.yield(a + b) return c * 2 end) return {f(1, 2), f(10)}',
      ),
      ev('local f = coroutine.wrap(function() end) f() return {pcall(f)}'),
      ev('coroutine.create(print)'),
      ev('coroutine.wrap(string.len)'),
      ev('coroutine.resume(1)'),
      ev('return type(coroutine.running())'),
      ev('return coroutine.wrap(function() return type(coroutine.running()) end)()'),
      ev('return {pcall(coroutine.yield, 1)}'),
      ev('return coroutine.isyieldable'),
    ],
    'nested coroutines up to the C call limit': [
      ev(
        'local d = 0 local function f() d = d + 1 local ok, v = coroutine.resume(coroutine.create(f)) return v end ' +
          'local v = f() return {d, v}',
      ),
      ev('local d = 0 local function f() d = d + 1 return coroutine.wrap(f)() end local ok, v = pcall(f) return d'),
      ev('local function f(n) if n == 0 then return 0 end return coroutine.wrap(f)(n - 1) + 1 end return f(150)'),
      ev(
        'local function f(n) if n == 0 then return 0 end local ok, v = coroutine.resume(coroutine.create(f), n - 1) ' +
          'if not ok then return v end return v + 1 end return f(250)',
      ),
    ],
    'argument errors of library functions called through pcall name them ?': [
      ev('return {pcall(coroutine.resume, 1)}'),
      ev('return {pcall(coroutine.wrap, string.len)}'),
      ev('return {pcall(string.byte)}'),
      ev("return {pcall(string.gsub, 'abc', '.', true)}"),
      ev("return {pcall(string.gsub, 'abc', '.', 'x', 'z')}"),
      ev('return {pcall(table.foreachi, {1}, 1)}'),
      ev('return {pcall(table.sort, 1)}'),
      ev('return {pcall(tostring)}'),
      ev('return {pcall(xpcall, function() end)}'),
      ev("return {pcall(cjson.decode, '[')}"),
      ev("return {pcall(('x').rep)}"),
    ],
    'xpcall as in Lua 5.1': [
      ev("return {xpcall(function(...) return select('#', ...) end, function(e) return e end, 1, 2, 3)}"),
      ev('return {xpcall(function() return 1, 2 end, print)}'),
      ev("return {xpcall(function() error('x') end, nil)}"),
      ev("return {xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)}"),
    ],
  })
})
