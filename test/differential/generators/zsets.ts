/** Sorted-set commands, blocking ones included, with valid and invalid arguments (ZADD .. ZSCAN). */
import fc from 'fast-check'
import {
  type Args,
  blockingStep,
  count,
  type GenStep,
  index,
  key,
  keys,
  members,
  randomShape,
  scanStep,
  single,
  step,
  timeout,
  unorderedElements,
  unorderedPairs,
  weighted,
} from './common.ts'

const score = fc.constantFrom(
  '0',
  '1',
  '-1',
  '1.5',
  '2',
  '0.1',
  '1e3',
  '-0',
  '+inf',
  '-inf',
  '3.0000000000000004',
  '0x10',
  '1e-400',
  '.5',
  '+1',
  '1e400',
  'Infinity',
  ' 1',
  'nan',
  'abc',
  '',
)
const increment = fc.constantFrom('1', '-1', '0.5', '+inf', '-inf', 'nan', 'x', '1e308')
const scoreBound = fc.constantFrom('-inf', '+inf', '0', '1', '(1', '(1.5', '2', '-1', 'inf', '(-inf', 'x', '(')
const lexBound = fc.constantFrom('-', '+', '[x', '(x', '[m', '(z', '[', '(', 'x', '[1', '(')
const zsetMember = fc.constantFrom('x', 'y', 'z', 'm', '1', '2', '')
const zsetMembers = (min = 1, max = 3) => fc.array(zsetMember, { minLength: min, maxLength: max })
const limit = fc.constantFrom(
  [],
  [],
  ['LIMIT', '0', '1'],
  ['LIMIT', '1', '-1'],
  ['LIMIT', '-1', '2'],
  ['LIMIT', '0', '0'],
  ['LIMIT', 'x', '1'],
  ['LIMIT', '1'],
)
const withScores = fc.constantFrom([], ['WITHSCORES'])

/** ZADD options in any order and combination, compatible or not. */
const zaddOptions = fc
  .subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'], { maxLength: 3 })
  .chain((opts) => fc.shuffledSubarray(opts, { minLength: opts.length, maxLength: opts.length }))
const zadd = fc
  .tuple(key, zaddOptions, fc.array(fc.tuple(score, zsetMember), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([k, opts, pairs, odd]) => {
    const args = ['ZADD', k, ...opts, ...pairs.flat()]
    if (odd) args.pop()
    return args
  })

/** ZRANGE in all its forms: by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES (and invalid mixes). */
const zrangeForm = fc
  .tuple(
    fc.constantFrom('rank', 'rank', 'BYSCORE', 'BYLEX'),
    fc.boolean(),
    limit,
    withScores,
    index,
    index,
    scoreBound,
    scoreBound,
    lexBound,
    lexBound,
  )
  .map(([by, rev, lim, ws, i1, i2, s1, s2, l1, l2]) => {
    const [a, b] = by === 'rank' ? [i1, i2] : by === 'BYSCORE' ? [s1, s2] : [l1, l2]
    return { range: [a, b], options: [...(by === 'rank' ? [] : [by]), ...(rev ? ['REV'] : []), ...lim], ws }
  })

const zrange = fc.tuple(key, zrangeForm).map(([k, f]) => ['ZRANGE', k, ...f.range, ...f.options, ...f.ws])
const zrangestore = fc.tuple(key, key, zrangeForm).map(([d, k, f]) => ['ZRANGESTORE', d, k, ...f.range, ...f.options])

const legacyRange = fc.oneof(
  fc.tuple(key, index, index, withScores).map(([k, a, b, ws]) => ['ZREVRANGE', k, a, b, ...ws]),
  fc
    .tuple(fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE'), key, scoreBound, scoreBound, withScores, limit)
    .chain(([c, k, a, b, ws, lim]) => fc.constantFrom([c, k, a, b, ...ws, ...lim], [c, k, a, b, ...lim, ...ws])),
  fc
    .tuple(fc.constantFrom('ZRANGEBYLEX', 'ZREVRANGEBYLEX'), key, lexBound, lexBound, limit)
    .map(([c, k, a, b, lim]) => [c, k, a, b, ...lim]),
)

const numkeysFor = (ks: string[]) =>
  fc.constantFrom(String(ks.length), String(ks.length), String(ks.length), '0', String(ks.length + 1), 'x')

/** ZUNION/ZINTER/ZDIFF and their STORE forms, ZINTERCARD; the sources may be sets too. */
const algebra: fc.Arbitrary<GenStep[]> = fc
  .tuple(fc.constantFrom('ZUNION', 'ZINTER', 'ZDIFF'), fc.boolean(), key, keys(1, 3))
  .chain(([name, store, dst, ks]) =>
    fc
      .tuple(
        numkeysFor(ks),
        name === 'ZDIFF'
          ? fc.constantFrom<Args>([], [], ['WEIGHTS', '1'])
          : fc.constantFrom<Args>(
              [],
              ks.map((_, i) => String(i + 1)),
              ks.map(() => '-1'),
              ['x'],
              ks.map(() => 'inf'),
            ),
        fc.constantFrom<Args>(
          [],
          [],
          ['AGGREGATE', 'SUM'],
          ['AGGREGATE', 'MIN'],
          ['AGGREGATE', 'MAX'],
          ['AGGREGATE', 'AVG'],
        ),
        withScores,
      )
      .map(([n, weights, aggregate, ws]): GenStep[] => {
        const w = weights.length > 0 && name !== 'ZDIFF' ? ['WEIGHTS', ...weights] : weights
        const agg = name === 'ZDIFF' ? [] : aggregate
        if (store) return [step([`${name}STORE`, dst, n, ...ks, ...w, ...agg])]
        return [step([name, n, ...ks, ...w, ...agg, ...ws])]
      }),
  )

const zintercard = single(
  keys(1, 3).chain((ks) =>
    fc
      .tuple(numkeysFor(ks), fc.constantFrom<Args>([], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '-1'], ['LIMIT']))
      .map(([n, lim]) => ['ZINTERCARD', n, ...ks, ...lim]),
  ),
)

const popCount = fc.constantFrom(
  [],
  [],
  ['COUNT', '1'],
  ['COUNT', '2'],
  ['COUNT', '10'],
  ['COUNT', '0'],
  ['COUNT', '-1'],
  ['COUNT'],
)

const zmpop = single(
  keys(1, 3).chain((ks) =>
    fc
      .tuple(numkeysFor(ks), fc.constantFrom('MIN', 'MAX', 'max', 'LEFT'), popCount)
      .map(([n, where, c]) => ['ZMPOP', n, ...ks, where, ...c]),
  ),
)

/** BZPOPMIN/BZPOPMAX/BZMPOP; usually the first key gets a member first, so most do not wait. */
const blocking: fc.Arbitrary<GenStep[]> = fc
  .tuple(
    fc.boolean(),
    keys(1, 2),
    timeout,
    fc.constantFrom('BZPOPMIN', 'BZPOPMAX', 'BZMPOP'),
    fc.constantFrom('MIN', 'MAX'),
    popCount,
  )
  .map(([prepush, ks, t, name, where, c]) => {
    const command =
      name === 'BZMPOP'
        ? blockingStep(['BZMPOP', t, String(ks.length), ...ks, where, ...c], 1)
        : blockingStep([name, ...ks, t], ks.length + 1)
    return prepush ? [step(['ZADD', ks[0], '5', 'p']), command] : [command]
  })

const zrandmember: fc.Arbitrary<GenStep[]> = fc
  .tuple(key, fc.constantFrom('', '0', '1', '2', '100', '-1', '-4', 'x'), fc.boolean())
  .map(([k, c, ws]): GenStep[] => {
    const args: Args = ['ZRANDMEMBER', k]
    if (c !== '') args.push(c)
    if (c !== '' && ws) args.push('WITHSCORES')
    if (c === '100') return [step(args, { normalize: ws ? unorderedPairs : unorderedElements })]
    return [step(args, { normalize: randomShape(c !== '' && !c.startsWith('-'), ws) })]
  })

const zscan: fc.Arbitrary<GenStep[]> = fc
  .tuple(key, fc.constantFrom('0', '0', 'x'), fc.constantFrom([], ['MATCH', '[xy]'], ['COUNT', '1'], ['COUNT', '0']))
  .map(([k, cursor, opts]) =>
    cursor === '0' ? [scanStep(['ZSCAN', k, cursor, ...opts], true)] : [step(['ZSCAN', k, cursor, ...opts])],
  )

export const zsetCommands: fc.Arbitrary<GenStep[]> = weighted(
  [10, single(zadd)],
  [3, single(fc.tuple(key, increment, zsetMember).map(([k, i, m]) => ['ZINCRBY', k, i, m]))],
  [3, single(fc.tuple(key, zsetMembers()).map(([k, ms]) => ['ZREM', k, ...ms]))],
  [2, single(key.map((k) => ['ZCARD', k]))],
  [3, single(fc.tuple(key, zsetMember).map(([k, m]) => ['ZSCORE', k, m]))],
  [2, single(fc.tuple(key, zsetMembers()).map(([k, ms]) => ['ZMSCORE', k, ...ms]))],
  [3, single(fc.tuple(fc.constantFrom('ZRANK', 'ZREVRANK'), key, zsetMember).map(([c, k, m]) => [c, k, m]))],
  [2, single(fc.tuple(key, scoreBound, scoreBound).map(([k, a, b]) => ['ZCOUNT', k, a, b]))],
  [2, single(fc.tuple(key, lexBound, lexBound).map(([k, a, b]) => ['ZLEXCOUNT', k, a, b]))],
  [8, single(zrange)],
  [3, single(zrangestore)],
  [5, single(legacyRange)],
  [1, single(fc.tuple(key, index, index).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b]))],
  [1, single(fc.tuple(key, scoreBound, scoreBound).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, b]))],
  [1, single(fc.tuple(key, lexBound, lexBound).map(([k, a, b]) => ['ZREMRANGEBYLEX', k, a, b]))],
  [
    3,
    single(
      fc
        .tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, fc.option(count, { nil: '' }))
        .map(([c, k, n]) => (n === '' ? [c, k] : [c, k, n])),
    ),
  ],
  [2, zmpop],
  [3, blocking],
  [2, zrandmember],
  [5, algebra],
  [2, zintercard],
  [2, zscan],
  // Sets as sources of the algebra commands.
  [1, single(fc.tuple(key, members(1, 3)).map(([k, ms]) => ['SADD', k, ...ms]))],
)
