/**
 * Unit tests for the struct library: every format code, endianness, alignment, C conversions of out-of-range numbers, and its error messages. Each reply is the one redis-server 7.0.15 gives for the same script
 * (libs.diff.test.ts checks these and many more against a live redis-server).
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../../helpers.ts'
import { type Case, evalReply } from './eval.ts'

const cases: Case[] = [
  ["return struct.pack('>i', 1)", '$4\r\n\u0000\u0000\u0000\u0001\r\n'],
  ["return struct.pack('<i', -2)", '$4\r\nþÿÿÿ\r\n'],
  [
    "return struct.pack('>bBhHlLTiI', -1, 255, -2, 65535, -3, 4, 5, -6, 7)",
    '$38\r\nÿÿÿþÿÿÿÿÿÿÿÿÿý\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0005ÿÿÿú\u0000\u0000\u0000\u0007\r\n',
  ],
  ["return struct.pack('<I3>I3', 0x123456, 0x123456)", '$6\r\nV4\u0012\u00124V\r\n'],
  ["return struct.pack('i9', -1)", '$9\r\nÿÿÿÿÿÿÿÿ\u0000\r\n'],
  ["return struct.pack('L', 2^64)", '$8\r\n\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\r\n'],
  ["return struct.pack('L', 0/0)", '$8\r\n\u0000\u0000\u0000\u0000\u0000\u0000\u0000\r\n'],
  ["return struct.pack('>f', 1.5)", '$4\r\n?À\u0000\u0000\r\n'],
  ["return struct.pack('<d', -0.25)", '$8\r\n\u0000\u0000\u0000\u0000\u0000\u0000Ð¿\r\n'],
  ["return struct.pack('c0c2s', 'abc', 'xy', 'z')", '$7\r\nabcxyz\u0000\r\n'],
  ["return struct.pack('!4bi', 1, 2)", '$8\r\n\u0001\u0000\u0000\u0000\u0002\u0000\u0000\u0000\r\n'],
  ["return struct.pack('!bi', 1, 2)", '$8\r\n\u0001\u0000\u0000\u0000\u0002\u0000\u0000\u0000\r\n'],
  ["return struct.pack('bxb', 1, 2)", '$3\r\n\u0001\u0000\u0002\r\n'],
  ["return struct.pack('b\\0b', 1, 2)", '$1\r\n\u0001\r\n'],
  ["return struct.pack('c5', 'ab')", "-ERR user_script:1: bad argument #3 to 'pack' (string too short)\r\n"],
  ["return struct.pack('b')", "-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil)\r\n"],
  ["return struct.pack('z', 1)", "-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'z')\r\n"],
  ["return struct.pack('i33', 1)", '-ERR user_script:1: integral size 33 is larger than limit of 32\r\n'],
  ["return struct.pack('i99999999999', 1)", '-ERR user_script:1: integral size overflow\r\n'],
  ["return struct.pack('!3b', 1)", '-ERR user_script:1: alignment 3 is not a power of 2\r\n'],
  ["return {struct.unpack('>i', '\\0\\0\\0\\1')}", '*2\r\n:1\r\n:5\r\n'],
  ["return {struct.unpack('>bBhH', '\\255\\255\\255\\254\\255\\255')}", '*5\r\n:-1\r\n:255\r\n:-2\r\n:65535\r\n:7\r\n'],
  ["return {struct.unpack('<i9', '\\1\\2\\3\\4\\5\\6\\7\\8\\128')}", '*2\r\n:-127\r\n:10\r\n'],
  ["return {struct.unpack('L', string.rep('\\255', 8))}", '*2\r\n:-9223372036854775808\r\n:9\r\n'],
  ["return {struct.unpack('bc0', '\\3abcd')}", '*2\r\n$3\r\nabc\r\n:5\r\n'],
  ["return {struct.unpack('c1c0', '3abcd')}", '*2\r\n$3\r\nabc\r\n:5\r\n'],
  ["return {struct.unpack('c0', 'abc')}", "-ERR user_script:1: format 'c0' needs a previous size\r\n"],
  ["return {struct.unpack('ss', 'hello\\0world\\0')}", '*3\r\n$5\r\nhello\r\n$5\r\nworld\r\n:13\r\n'],
  ["return {struct.unpack('s', 'hello')}", '-ERR user_script:1: unfinished string in data\r\n'],
  ["return {struct.unpack('i', 'abc')}", "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short)\r\n"],
  ["return {struct.unpack('i', 'abcdefgh', 5)}", '*2\r\n:1751606885\r\n:9\r\n'],
  [
    "return {struct.unpack('i', 'abcdefgh', 0)}",
    "-ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)\r\n",
  ],
  [
    "return {struct.unpack('i', 'abcdefgh', -1)}",
    "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short)\r\n",
  ],
  ["return tostring(struct.unpack('>d', struct.pack('>d', 1/3)))", '$16\r\n0.33333333333333\r\n'],
  ["return #{struct.unpack(string.rep('b', 7997), string.rep('a', 7997))}", ':7998\r\n'],
  [
    "return {struct.unpack(string.rep('b', 7998), string.rep('a', 7998))}",
    '-ERR user_script:1: stack overflow (too many results)\r\n',
  ],
  ["return struct.size('bhilfdT')", ':35\r\n'],
  ["return struct.size('!bhilfdT')", ':40\r\n'],
  ["return struct.size('s')", "-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)\r\n"],
  ["return struct.size('c0')", "-ERR user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)\r\n"],
  ["return struct.size('zq')", ':0\r\n'],
  ["return struct.size('%')", "-ERR user_script:1: bad argument #1 to 'size' (invalid format option '%')\r\n"],
]

describe('Lua struct library', () => {
  const t = testEngine()
  it.each(cases)('%s', async (script, reply) => {
    expect(await evalReply(t, script)).toBe(reply)
  })
})
