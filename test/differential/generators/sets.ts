/** Set commands with valid and invalid arguments (SADD .. SSCAN, and the STORE forms). */
import fc from 'fast-check'
import {
  type Args,
  type GenStep,
  key,
  keys,
  member,
  members,
  randomShape,
  scanStep,
  single,
  step,
  unorderedElements,
  weighted,
} from './common.ts'

/** SPOP/SRANDMEMBER: a count past the size is the whole set (deterministic as a set); otherwise only the shape is. */
const random: fc.Arbitrary<GenStep[]> = fc
  .tuple(fc.constantFrom('SPOP', 'SRANDMEMBER'), key, fc.constantFrom('', '0', '1', '2', '100', '-3', 'x', '-1'))
  .map(([name, k, c]): GenStep[] => {
    const args: Args = [name, k]
    if (c !== '') args.push(c)
    if (c === '100' || c === '0') return [step(args, { normalize: unorderedElements })]
    const shape = randomShape(c !== '' && !c.startsWith('-'))
    if (name === 'SRANDMEMBER') return [step(args, { normalize: shape })]
    // A partial SPOP leaves a random remainder: drop the key after it. In MULTI, pop everything instead.
    const whole = step([name, k, '100'], { normalize: unorderedElements })
    return [step(args, { normalize: shape, inTransaction: whole }), step(['DEL', k], { inTransaction: null })]
  })

const sscan: fc.Arbitrary<GenStep[]> = fc
  .tuple(
    key,
    fc.constantFrom('0', '0', '0', 'x'),
    fc.constantFrom([], ['MATCH', '*1*'], ['MATCH', '[xyz]'], ['COUNT', '1'], ['COUNT', '-1'], ['NOVALUES']),
  )
  .map(([k, cursor, opts]) =>
    cursor === '0' ? [scanStep(['SSCAN', k, cursor, ...opts], false)] : [step(['SSCAN', k, cursor, ...opts])],
  )

const algebra: fc.Arbitrary<GenStep[]> = fc
  .tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), fc.boolean(), key, keys(1, 3))
  .map(([name, store, dst, ks]) =>
    store ? [step([`${name}STORE`, dst, ...ks])] : [step([name, ...ks], { normalize: unorderedElements })],
  )

const sintercard: fc.Arbitrary<GenStep[]> = single(
  keys(1, 3).chain((ks) =>
    fc
      .tuple(
        fc.constantFrom(String(ks.length), String(ks.length), '0', String(ks.length + 1), 'x'),
        fc.constantFrom([], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '-1'], ['LIMIT'], ['BOGUS', '1']),
      )
      .map(([n, limit]) => ['SINTERCARD', n, ...ks, ...limit]),
  ),
)

export const setCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, single(fc.tuple(key, members()).map(([k, ms]) => ['SADD', k, ...ms]))],
  [1, single(key.map((k) => ['SADD', k]))],
  [3, single(fc.tuple(key, members()).map(([k, ms]) => ['SREM', k, ...ms]))],
  [2, single(key.map((k) => ['SCARD', k]))],
  [3, single(fc.tuple(key, member).map(([k, m]) => ['SISMEMBER', k, m]))],
  [2, single(fc.tuple(key, members()).map(([k, ms]) => ['SMISMEMBER', k, ...ms]))],
  [
    3,
    single(
      key.map((k) => ['SMEMBERS', k]),
      { normalize: unorderedElements },
    ),
  ],
  [3, random],
  [3, single(fc.tuple(key, key, member).map(([s, d, m]) => ['SMOVE', s, d, m]))],
  [5, algebra],
  [2, sintercard],
  [2, sscan],
)
