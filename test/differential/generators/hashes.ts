/** Hash commands with valid and invalid arguments (HSET .. HSCAN). */
import fc from 'fast-check'
import {
  type Args,
  count,
  float,
  type GenStep,
  integer,
  key,
  LONG,
  randomShape,
  scanStep,
  single,
  step,
  unorderedElements,
  unorderedPairs,
  value,
  weighted,
} from './common.ts'

const field = fc.constantFrom('f1', 'f2', 'f3', '1', '', 'x', LONG)
const fields = (min = 1, max = 3) => fc.array(field, { minLength: min, maxLength: max })
const fieldValues = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.flat())

const hrandfield: fc.Arbitrary<GenStep[]> = fc
  .tuple(key, fc.constantFrom('', '0', '1', '2', '100', '-1', '-5', 'x'), fc.boolean())
  .map(([k, c, withValues]): GenStep[] => {
    const args: Args = ['HRANDFIELD', k]
    if (c !== '') args.push(c)
    if (c !== '' && withValues) args.push('WITHVALUES')
    // A count past the size returns the whole hash (in no defined order); otherwise only the shape is defined.
    if (c === '100') return [step(args, { normalize: withValues ? unorderedPairs : unorderedElements })]
    return [step(args, { normalize: randomShape(c !== '' && !c.startsWith('-'), withValues) })]
  })

const hscan: fc.Arbitrary<GenStep[]> = fc
  .tuple(
    key,
    fc.constantFrom('0', '0', '0', 'x', '-'),
    fc.constantFrom([], ['MATCH', 'f*'], ['MATCH', '[fx]'], ['COUNT', '1'], ['COUNT', '0'], ['MATCH']),
  )
  .map(([k, cursor, opts]) =>
    cursor === '0' ? [scanStep(['HSCAN', k, cursor, ...opts], true)] : [step(['HSCAN', k, cursor, ...opts])],
  )

export const hashCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, single(fc.tuple(key, fieldValues).map(([k, fv]) => ['HSET', k, ...fv]))],
  [1, single(fc.tuple(key, field).map(([k, f]) => ['HSET', k, f]))],
  [2, single(fc.tuple(key, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]))],
  [2, single(fc.tuple(key, fieldValues).map(([k, fv]) => ['HMSET', k, ...fv]))],
  [5, single(fc.tuple(key, field).map(([k, f]) => ['HGET', k, f]))],
  [2, single(fc.tuple(key, fields()).map(([k, fs]) => ['HMGET', k, ...fs]))],
  [3, single(fc.tuple(key, fields()).map(([k, fs]) => ['HDEL', k, ...fs]))],
  [2, single(key.map((k) => ['HLEN', k]))],
  [2, single(fc.tuple(key, field).map(([k, f]) => ['HSTRLEN', k, f]))],
  [2, single(fc.tuple(key, field).map(([k, f]) => ['HEXISTS', k, f]))],
  [
    2,
    single(
      key.map((k) => ['HKEYS', k]),
      { normalize: unorderedElements },
    ),
  ],
  [
    2,
    single(
      key.map((k) => ['HVALS', k]),
      { normalize: unorderedElements },
    ),
  ],
  [
    3,
    single(
      key.map((k) => ['HGETALL', k]),
      { normalize: unorderedPairs },
    ),
  ],
  [4, single(fc.tuple(key, field, integer).map(([k, f, n]) => ['HINCRBY', k, f, n]))],
  [3, single(fc.tuple(key, field, float).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]))],
  [2, hrandfield],
  [2, hscan],
  [1, single(fc.tuple(key, count).map(([k, c]) => ['HGETALL', k, c]))],
)
