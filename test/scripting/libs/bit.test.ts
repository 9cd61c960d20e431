/**
 * Unit tests for the bit library (LuaBitOp): 32-bit results as signed numbers, doubles reduced modulo 2^32 as LuaBitOp does, Lua 5.1 type errors. Each reply is the one redis-server 7.0.15 gives for the same script
 * (libs.diff.test.ts checks these and many more against a live redis-server).
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../../helpers.ts'
import { type Case, evalReply } from './eval.ts'

const cases: Case[] = [
  [
    'return {bit.tobit(2^32 + 5), bit.tobit(-1), bit.tobit(2^31), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5)}',
    '*6\r\n:5\r\n:-1\r\n:-2147483648\r\n:2\r\n:2\r\n:-2\r\n',
  ],
  [
    "return {bit.tobit(1e300), bit.tobit(1/0), bit.tobit(0/0), bit.tobit('0x10')}",
    '*4\r\n:-2013235812\r\n:0\r\n:0\r\n:16\r\n',
  ],
  [
    'return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(0x12345678, 20), bit.tohex(1, 0)}',
    '*6\r\n$8\r\n000000ff\r\n$8\r\nffffffff\r\n$2\r\nff\r\n$4\r\n00FF\r\n$8\r\n12345678\r\n$0\r\n\r\n',
  ],
  [
    'return {bit.bnot(0), bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4, 8), bit.bxor(5, 3, 1)}',
    '*4\r\n:-1\r\n:3\r\n:15\r\n:7\r\n',
  ],
  [
    'return {bit.lshift(1, 31), bit.lshift(1, 32), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x80000001, 1), bit.ror(1, 1), bit.bswap(0x12345678)}',
    '*7\r\n:-2147483648\r\n:1\r\n:15\r\n:-16\r\n:3\r\n:-2147483648\r\n:2018915346\r\n',
  ],
  ["return bit.tobit('abc')", "-ERR user_script:1: bad argument #1 to 'tobit' (number expected, got string)\r\n"],
  ['return bit.band(1, {})', "-ERR user_script:1: bad argument #2 to 'band' (number expected, got table)\r\n"],
  [
    'return bit.tobit(cjson.null)',
    "-ERR user_script:1: bad argument #1 to 'tobit' (number expected, got userdata)\r\n",
  ],
  ['return bit.bor()', "-ERR user_script:1: bad argument #1 to 'bor' (number expected, got no value)\r\n"],
]

describe('Lua bit library', () => {
  const t = testEngine()
  it.each(cases)('%s', async (script, reply) => {
    expect(await evalReply(t, script)).toBe(reply)
  })
})
