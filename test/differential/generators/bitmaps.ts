/** Bitmap commands with valid and invalid arguments (SETBIT .. BITFIELD_RO), over plain strings too. */
import fc from 'fast-check'
import { type Args, type GenStep, key, keys, single, weighted } from './common.ts'

const bitOffset = fc.constantFrom('0', '1', '7', '8', '15', '23', '63', '100', '-1', 'x', '4294967296', '1.5')
const bit = fc.constantFrom('0', '1', '1', '2', 'x', '-1')
const byteIndex = fc.constantFrom('0', '1', '2', '-1', '-2', '5', '-100', 'x')
const unit = fc.constantFrom<Args>([], [], ['BYTE'], ['BIT'], ['bit'], ['WORD'])
const stringValue = fc.constantFrom('', 'a', 'foobar', '\xff\xf0\x00', '\x00\x00\x00', '\xff\xff', '1234567890abcdef')

/** BITFIELD types: signed up to 64 bits, unsigned up to 63, and invalid ones. */
const fieldType = fc.constantFrom('u1', 'i1', 'u4', 'i5', 'u8', 'i8', 'i16', 'u63', 'i64', 'u64', 'i65', 'x8', 'u0')
const fieldOffset = fc.constantFrom('0', '3', '8', '#0', '#1', '#2', '100', '-1', 'x', '#-1')
const fieldValue = fc.constantFrom(
  '0',
  '1',
  '-1',
  '127',
  '128',
  '255',
  '-128',
  '100000',
  '9223372036854775807',
  '-9223372036854775808',
  'x',
)
const subcommand = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset).map(([t, o]) => ['GET', t, o]) },
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset, fieldValue).map(([t, o, v]) => ['SET', t, o, v]) },
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset, fieldValue).map(([t, o, v]) => ['INCRBY', t, o, v]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(['OVERFLOW', 'WRAP'], ['OVERFLOW', 'SAT'], ['OVERFLOW', 'FAIL'], ['OVERFLOW', 'x']),
  },
  { weight: 1, arbitrary: fc.constantFrom(['GET', 'u8'], ['BOGUS'], ['SET', 'u8', '0']) },
)
const subcommands = fc.array(subcommand, { minLength: 0, maxLength: 4 }).map((subs) => subs.flat())

const bitcount = fc
  .tuple(key, fc.constantFrom(0, 1, 2, 2, 3), byteIndex, byteIndex, unit)
  .map(([k, n, s, e, u]) => ['BITCOUNT', k, ...(n >= 1 ? [s] : []), ...(n >= 2 ? [e] : []), ...(n >= 3 ? u : [])])

const bitpos = fc
  .tuple(key, bit, fc.constantFrom(0, 1, 2, 3), byteIndex, byteIndex, unit)
  .map(([k, b, n, s, e, u]) => ['BITPOS', k, b, ...(n >= 1 ? [s] : []), ...(n >= 2 ? [e] : []), ...(n >= 3 ? u : [])])

const bitop = fc
  .tuple(fc.constantFrom('AND', 'OR', 'XOR', 'NOT', 'and', 'NAND'), key, keys(1, 3))
  .map(([op, d, ks]) => ['BITOP', op, d, ...ks])

export const bitmapCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, single(fc.tuple(key, bitOffset, bit).map(([k, o, b]) => ['SETBIT', k, o, b]))],
  [4, single(fc.tuple(key, bitOffset).map(([k, o]) => ['GETBIT', k, o]))],
  [4, single(bitcount)],
  [4, single(bitpos)],
  [4, single(bitop)],
  [6, single(fc.tuple(key, subcommands).map(([k, subs]) => ['BITFIELD', k, ...subs]))],
  [2, single(fc.tuple(key, subcommands).map(([k, subs]) => ['BITFIELD_RO', k, ...subs]))],
  [3, single(fc.tuple(key, stringValue).map(([k, v]) => ['SET', k, v]))],
  [3, single(key.map((k) => ['GET', k]))],
  [1, single(fc.tuple(key, stringValue).map(([k, v]) => ['APPEND', k, v]))],
  [1, single(key.map((k) => ['RPUSH', k, '1']))],
)
