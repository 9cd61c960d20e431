/**
 * The library tables as Redis 7.0 sets them up: exactly its members, read-only like every table reachable from the
 * globals, cjson.new() tables writable and with their own settings, and cjson settings kept by the Lua state from
 * one script to the next until SCRIPT FLUSH starts a new state.
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../../helpers.ts'
import { type Case, evalReply } from './eval.ts'

/** Replies of redis-server 7.0.15. */
const cases: Case[] = [
  ['cjson.encode = nil', '-ERR user_script:1: Attempt to modify a readonly table\r\n'],
  ['bit.x = 1', '-ERR user_script:1: Attempt to modify a readonly table\r\n'],
  ['struct.pack = struct.unpack', '-ERR user_script:1: Attempt to modify a readonly table\r\n'],
  ['cmsgpack.foo = 1', '-ERR user_script:1: Attempt to modify a readonly table\r\n'],
  ["rawset(cjson, 'x', 1)", '-ERR Attempt to modify a readonly table\r\n'],
  ['return setmetatable(bit, {})', '-ERR Attempt to modify a readonly table\r\n'],
  ['cjson.null = 1', '-ERR user_script:1: Attempt to modify a readonly table\r\n'],
  ['local j = cjson.new() j.x = 1 return {j.x, j.null == cjson.null, j.new ~= cjson.new}', '*3\r\n:1\r\n:1\r\n:1\r\n'],
  [
    'local j = cjson.new() j.encode_max_depth(2) return {pcall(j.encode, {{{1}}}), cjson.encode({{{1}}})}',
    '*2\r\n$-1\r\n$7\r\n[[[1]]]\r\n',
  ],
  [
    "local r = {} for _, lib in ipairs({'cjson', 'bit', 'struct', 'cmsgpack'}) do local names = {} for k, v in pairs(_G[lib]) do names[#names + 1] = k .. ':' .. type(v) end table.sort(names) r[#r + 1] = table.concat(names, ' ') end return r",
    '*4\r\n$293\r\n_NAME:string _VERSION:string decode:function decode_invalid_numbers:function decode_max_depth:function encode:function encode_invalid_numbers:function encode_keep_buffer:function encode_max_depth:function encode_number_precision:function encode_sparse_array:function new:function null:userdata\r\n$174\r\narshift:function band:function bnot:function bor:function bswap:function bxor:function lshift:function rol:function ror:function rshift:function tobit:function tohex:function\r\n$43\r\npack:function size:function unpack:function\r\n$138\r\n_COPYRIGHT:string _DESCRIPTION:string _NAME:string _VERSION:string pack:function unpack:function unpack_limit:function unpack_one:function\r\n',
  ],
  [
    'return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}',
    '*4\r\n$8\r\ncmsgpack\r\n$18\r\nlua-cmsgpack 0.4.0\r\n$40\r\nCopyright (C) 2012, Salvatore Sanfilippo\r\n$36\r\nMessagePack C implementation for Lua\r\n',
  ],
]

describe('Lua library tables', () => {
  const t = testEngine()
  it.each(cases)('%s', async (script, reply) => {
    expect(await evalReply(t, script)).toBe(reply)
  })

  it('keeps cjson settings across scripts until SCRIPT FLUSH', async () => {
    const s = testEngine()
    expect(await evalReply(s, 'return cjson.encode_max_depth(2)')).toBe(':2\r\n')
    expect(await evalReply(s, 'return cjson.encode({{{1}}})')).toBe(
      '-ERR user_script:1: Cannot serialise, excessive nesting (3)\r\n',
    )
    expect(await evalReply(s, 'return cjson.encode_max_depth()')).toBe(':2\r\n')
    expect(await s.resp('SCRIPT', 'FLUSH')).toBe('+OK\r\n')
    expect(await evalReply(s, 'return cjson.encode_max_depth()')).toBe(':1000\r\n')
    expect(await evalReply(s, 'return cjson.encode({{{1}}})')).toBe('$7\r\n[[[1]]]\r\n')
  })

  it('keeps cjson settings per engine (each Redis server has its own Lua state)', async () => {
    const a = testEngine()
    const b = testEngine()
    expect(await evalReply(a, 'return cjson.encode_number_precision(3)')).toBe(':3\r\n')
    expect(await evalReply(a, 'return cjson.encode(1/3)')).toBe('$5\r\n0.333\r\n')
    expect(await evalReply(b, 'return cjson.encode(1/3)')).toBe('$16\r\n0.33333333333333\r\n')
  })

  it('caps what the encoders build at proto-max-bulk-len', async () => {
    const s = testEngine()
    expect(await s.resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')).toBe('+OK\r\n')
    const big = "local s = string.rep('x', 400000) "
    for (const encoder of ['cjson.encode', 'cmsgpack.pack']) {
      expect(await evalReply(s, `${big}return {pcall(${encoder}, {s, s, s})}`)).toBe(
        '*2\r\n$-1\r\n$22\r\nstring length overflow\r\n',
      )
    }
    expect(await evalReply(s, `${big}return #cjson.encode({s, s})`)).toBe(':800007\r\n')
  })

  it('keeps the server serving after library errors', async () => {
    const s = testEngine()
    for (const script of [
      'return cjson.decode("[")',
      'return cmsgpack.unpack("\\220\\255")',
      'return struct.pack("i99")',
    ]) {
      expect(await evalReply(s, script)).toMatch(/^-ERR /)
    }
    expect(await s.resp('PING')).toBe('+PONG\r\n')
  })
})
