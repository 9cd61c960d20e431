/**
 * Unit tests for the cjson library: lua-cjson 2.1.0's output format, sparse arrays, invalid numbers, strtod number syntax, error messages and settings. Each reply is the one redis-server 7.0.15 gives for the same script
 * (libs.diff.test.ts checks these and many more against a live redis-server).
 */
import { describe, expect, it } from 'vitest'
import { testEngine } from '../../helpers.ts'
import { type Case, evalReply } from './eval.ts'

const cases: Case[] = [
  ["return cjson.encode({1, 2, 3, 'x', true, false})", '$22\r\n[1,2,3,"x",true,false]\r\n'],
  ['return cjson.encode({a = {b = {}}})', '$14\r\n{"a":{"b":{}}}\r\n'],
  [
    "return cjson.encode('a\"b\\\\c/d\\1\\8\\9\\10\\12\\13\\31\\127\\200')",
    '$41\r\n"a\\"b\\\\c\\/d\\u0001\\b\\t\\n\\f\\r\\u001f\\u007fÈ"\r\n',
  ],
  [
    'return cjson.encode({-0, 0.1, 1/3, 2^53, 1e15, 1e16, 1e-7})',
    '$62\r\n[-0,0.1,0.33333333333333,9.007199254741e+15,1e+15,1e+16,1e-07]\r\n',
  ],
  ['return cjson.encode({1, nil, 3})', '$10\r\n[1,null,3]\r\n'],
  [
    'return cjson.encode({[1] = 1, [11] = 2})',
    '-ERR user_script:1: Cannot serialise table: excessively sparse array\r\n',
  ],
  ["return cjson.encode({[1] = 'x', [10] = 'y'})", '$49\r\n["x",null,null,null,null,null,null,null,null,"y"]\r\n'],
  ["return cjson.encode({[1.5] = 'x'})", '$11\r\n{"1.5":"x"}\r\n'],
  ['return cjson.encode({cjson.null})', '$6\r\n[null]\r\n'],
  ['return cjson.encode(1/0)', '-ERR user_script:1: Cannot serialise number: must not be NaN or Inf\r\n'],
  ['return cjson.encode(0/0)', '-ERR user_script:1: Cannot serialise number: must not be NaN or Inf\r\n'],
  ['return cjson.encode(redis.call)', '-ERR user_script:1: Cannot serialise function: type not supported\r\n'],
  [
    'return cjson.encode({[true] = 1})',
    '-ERR user_script:1: Cannot serialise boolean: table key must be a number or string\r\n',
  ],
  ['return cjson.encode()', "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument)\r\n"],
  [
    'local t = {} t[1] = t return cjson.encode(t)',
    '-ERR user_script:1: Cannot serialise, excessive nesting (1001)\r\n',
  ],
  ['return cjson.decode(\'[1, "two", true, false]\')', '*4\r\n:1\r\n$3\r\ntwo\r\n:1\r\n$-1\r\n'],
  ['return cjson.decode(\'{"a": {"b": ["c"]}}\').a.b[1]', '$1\r\nc\r\n'],
  ["return cjson.decode('null') == cjson.null", ':1\r\n'],
  ['return tostring(cjson.null)', '$15\r\nuserdata: (nil)\r\n'],
  ['return cjson.decode(\'"\\\\u00e9\\\\u20ac\\\\ud83d\\\\ude00\\\\n\\\\/"\')', '$11\r\nÃ©â¬ð\n/\r\n'],
  [
    "return {tostring(cjson.decode('0x1F')), tostring(cjson.decode('-Infinity')), tostring(cjson.decode('1e400')), tostring(cjson.decode('-nan')), tostring(cjson.decode('+5'))}",
    '*5\r\n$2\r\n31\r\n$4\r\n-inf\r\n$3\r\ninf\r\n$4\r\n-nan\r\n$1\r\n5\r\n',
  ],
  ["return cjson.decode('[1]\\0trailing')[1]", ':1\r\n'],
  ["return cjson.decode('')", '-ERR user_script:1: Expected value but found T_END at character 1\r\n'],
  ["return cjson.decode('\\0\\0')", '-ERR user_script:1: JSON parser does not support UTF-16 or UTF-32\r\n'],
  ["return cjson.decode('[1,]')", '-ERR user_script:1: Expected value but found T_ARR_END at character 4\r\n'],
  [
    'return cjson.decode(\'{"a":1,}\')',
    '-ERR user_script:1: Expected object key string but found T_OBJ_END at character 8\r\n',
  ],
  ['return cjson.decode(\'{"a" 1}\')', '-ERR user_script:1: Expected colon but found T_NUMBER at character 6\r\n'],
  [
    "return cjson.decode('[1 2]')",
    '-ERR user_script:1: Expected comma or array end but found T_NUMBER at character 4\r\n',
  ],
  [
    'return cjson.decode(\'"\\\\ud800"\')',
    '-ERR user_script:1: Expected value but found invalid unicode escape code at character 2\r\n',
  ],
  [
    'return cjson.decode(\'"\\\\x"\')',
    '-ERR user_script:1: Expected value but found invalid escape code at character 2\r\n',
  ],
  [
    "return cjson.decode('\"abc')",
    '-ERR user_script:1: Expected value but found unexpected end of string at character 5\r\n',
  ],
  ["return cjson.decode('nul')", '-ERR user_script:1: Expected value but found invalid token at character 1\r\n'],
  ["return cjson.decode('.5')", '-ERR user_script:1: Expected value but found invalid token at character 1\r\n'],
  [
    "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
    '-ERR user_script:1: Found too many nested data structures (1001) at character 1001\r\n',
  ],
  ['return cjson.decode(123)', ':123\r\n'],
  ['return cjson.decode()', "-ERR user_script:1: bad argument #1 to 'decode' (expected 1 argument)\r\n"],
  [
    'return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), cjson.encode_keep_buffer(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()}',
    '*6\r\n:1000\r\n:1000\r\n:14\r\n:1\r\n$-1\r\n:1\r\n',
  ],
  ['return {cjson.encode_sparse_array()}', '*3\r\n$-1\r\n:2\r\n:10\r\n'],
  [
    'return cjson.encode_max_depth(0)',
    "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)\r\n",
  ],
  [
    'return cjson.encode_number_precision(15)',
    "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)\r\n",
  ],
  [
    'return {cjson.encode_sparse_array(true, -1)}',
    "-ERR user_script:1: bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)\r\n",
  ],
  [
    "return cjson.encode_invalid_numbers('yes')",
    "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'yes')\r\n",
  ],
  [
    'return cjson.encode_keep_buffer(1, 2)',
    "-ERR user_script:1: bad argument #2 to 'encode_keep_buffer' (found too many arguments)\r\n",
  ],
  ['return {cjson._NAME, cjson._VERSION}', '*2\r\n$5\r\ncjson\r\n$5\r\n2.1.0\r\n'],
]

describe('Lua cjson library', () => {
  const t = testEngine()
  it.each(cases)('%s', async (script, reply) => {
    expect(await evalReply(t, script)).toBe(reply)
  })
})
