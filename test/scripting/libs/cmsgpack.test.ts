/**
 * Unit tests for the cmsgpack library: lua-cmsgpack's choice of encodings, multiple values, unpack_one/unpack_limit offsets, truncated and invalid input, Lua 5.1's stack limit. Each reply is the one redis-server 7.0.15 gives for the same script
 * (libs.diff.test.ts checks these and many more against a live redis-server).
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../../helpers.ts'
import { type Case, evalReply } from './eval.ts'

const cases: Case[] = [
  [
    'return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 2^32 - 1, 2^32, 2^53)',
    '$40\r\n\u0000ÌÌÿÍ\u0001\u0000ÍÿÿÎ\u0000\u0001\u0000\u0000ÎÿÿÿÿÏ\u0000\u0000\u0000\u0001\u0000\u0000\u0000\u0000Ï\u0000 \u0000\u0000\u0000\u0000\u0000\u0000\r\n',
  ],
  [
    'return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31 - 1, -2^63)',
    '$40\r\nÿàÐßÐÑÿÑ\u0000ÒÿÿÿÒ\u0000\u0000\u0000ÓÿÿÿÿÿÿÿÓ\u0000\u0000\u0000\u0000\u0000\u0000\u0000\r\n',
  ],
  [
    'return cmsgpack.pack(2^63, 0.5, 0.1, 1/0, -0, 0/0)',
    '$34\r\nÊ_\u0000\u0000\u0000Ê?\u0000\u0000\u0000Ë?¹Ê\u0000\u0000\u0000Ëÿø\u0000\u0000\u0000\u0000\u0000\u0000\r\n',
  ],
  [
    "return cmsgpack.pack('', string.rep('x', 31), string.rep('y', 32))",
    '$67\r\n ¿xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxÙ yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n',
  ],
  [
    "return #cmsgpack.pack(string.rep('z', 256)) .. ' ' .. #cmsgpack.pack(string.rep('w', 65536))",
    '$9\r\n259 65541\r\n',
  ],
  [
    'return cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {[0] = 1}, {[1.5] = 2}, {true, false})',
    '$22\r\n\u0001\u0002\u0003¡a\u0001\u0000\u0001Ê?À\u0000\u0000\u0002ÃÂ\r\n',
  ],
  ['return cmsgpack.pack(nil, cjson.null, redis.call)', '$3\r\nÀÀÀ\r\n'],
  [
    'return cmsgpack.pack({{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}})',
    "-ERR Error compiling script (new function): user_script:1: '}' expected near ')'\r\n",
  ],
  ['local t = {} t[1] = t return #cmsgpack.pack(t)', ':17\r\n'],
  ['return cmsgpack.pack()', "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)\r\n"],
  [
    "return {cmsgpack.unpack(cmsgpack.pack(1, -1, 2^40, -2^40, 'x', true))}",
    '*6\r\n:1\r\n:-1\r\n:1099511627776\r\n:-1099511627776\r\n$1\r\nx\r\n:1\r\n',
  ],
  ["return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')}", '*1\r\n:-1\r\n'],
  ["return {cmsgpack.unpack('\\204')}", '-ERR user_script:1: Missing bytes in input.\r\n'],
  ["return {cmsgpack.unpack('\\193')}", '-ERR user_script:1: Bad data format in input.\r\n'],
  ["return {cmsgpack.unpack('\\196\\1a')}", '-ERR user_script:1: Bad data format in input.\r\n'],
  ["return {cmsgpack.unpack('\\129\\192\\1')}", '-ERR table index is nil\r\n'],
  ["return {cmsgpack.unpack('\\147\\1\\192\\3')}", '*1\r\n*1\r\n:1\r\n'],
  ["return {cmsgpack.unpack('')}", '*0\r\n'],
  ["return cmsgpack.unpack(cmsgpack.pack({a = {b = 'c'}})).a.b", '$1\r\nc\r\n'],
  ['return tostring(cmsgpack.unpack(cmsgpack.pack(1/3)))', '$16\r\n0.33333333333333\r\n'],
  ['return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}', '*2\r\n:1\r\n:1\r\n'],
  ['return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}', '*2\r\n:-1\r\n:3\r\n'],
  [
    'return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}',
    '-ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 3.\r\n',
  ],
  [
    'return {cmsgpack.unpack_one(cmsgpack.pack(1), 5)}',
    '-ERR user_script:1: Start offset 5 greater than input length 1.\r\n',
  ],
  ['return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}', '*3\r\n:2\r\n:1\r\n:2\r\n'],
  ['return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}', '*3\r\n:1\r\n:2\r\n:3\r\n'],
  ['return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}', '*3\r\n:-1\r\n:2\r\n:3\r\n'],
  ["return #{cmsgpack.unpack(string.rep('\\1', 7999))}", ':7999\r\n'],
  [
    "return #{cmsgpack.unpack(string.rep('\\1', 8000))}",
    '-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)\r\n',
  ],
  ["return #{cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1')}", ':1\r\n'],
  [
    "return #{cmsgpack.unpack(string.rep('\\145', 4000) .. '\\1')}",
    '-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array)\r\n',
  ],
]

describe('Lua cmsgpack library', () => {
  const t = testEngine()
  it.each(cases)('%s', async (script, reply) => {
    expect(await evalReply(t, script)).toBe(reply)
  })
})
