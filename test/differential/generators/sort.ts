/**
 * SORT and SORT_RO over lists, sets and sorted sets, with BY/GET patterns that hit weight strings and hash fields
 *. Lists are longer than 7 elements at times, so that LIMIT goes through Redis's pqsort. BY nosort over a set without STORE returns the set's own order, so it is compared as a multiset and
 * never combined with LIMIT.
 */
import fc from 'fast-check'
import { type Args, type GenStep, key, single, step, unorderedElements, weighted } from './common.ts'

/**
 * Sets and sorted sets are only created at this key: SORT reads both from a hash table (a sorted set too, unless BY
 * nosort), so tied elements come out in an order of Redis's own; lists elsewhere keep ties in a defined order.
 */
const SET_KEY = 'c'
const element = fc.constantFrom('1', '2', '3', '10', '-1.5', '1e2', 'x', 'y', '')
const elements = fc.oneof(
  { weight: 4, arbitrary: fc.array(element, { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(element, { minLength: 8, maxLength: 14 }) },
)
const by = fc.constantFrom<Args>(
  [],
  [],
  ['BY', 'w_*'],
  ['BY', 'h_*->f'],
  ['BY', 'nosort'],
  ['BY', 'missing_*'],
  ['BY', 'w_*->'],
  ['BY'],
)
const get = fc.constantFrom<Args>(
  [],
  [],
  ['GET', '#'],
  ['GET', 'w_*'],
  ['GET', 'h_*->f'],
  ['GET', '#', 'GET', 'w_*'],
  ['GET', 'missing'],
  ['GET'],
)
const limit = fc.constantFrom<Args>(
  [],
  [],
  ['LIMIT', '0', '2'],
  ['LIMIT', '1', '-1'],
  ['LIMIT', '-1', '1'],
  ['LIMIT', '0'],
  ['LIMIT', 'x', '1'],
)
const order = fc.constantFrom<Args>([], ['ASC'], ['DESC'], ['desc'])
const alpha = fc.constantFrom<Args>([], [], ['ALPHA'])

/** SORT commands; `setKeys` are the keys that may hold a set (whose element order is its own). */
const sortOf = (setKeys: string[]): fc.Arbitrary<GenStep[]> =>
  fc
    .tuple(fc.constantFrom('SORT', 'SORT', 'SORT_RO'), key, by, get, limit, order, alpha, fc.option(key, { nil: null }))
    .map(([name, k, b, g, l, o, a, store]) => {
      // A BY pattern without '*' sorts nothing (Redis's dontsort). A bare BY takes the next word as its pattern, and
      // none of the words that can follow (LIMIT, GET, ASC, DESC, ALPHA, STORE) has a '*'.
      const nosort = b[1] === 'nosort' || b.length === 1
      // Ties (ALPHA by a pattern compares only the weights) keep the hash table's order at the set and zset key:
      // compared as a multiset, and neither cut by LIMIT nor stored.
      const tiesInHashOrder = setKeys.includes(k) && a.length > 0 && b.length === 2 && !nosort
      const storing = name === 'SORT' && store !== null && !tiesInHashOrder
      const setOrder = (nosort && !storing) || tiesInHashOrder
      const lim = setOrder ? [] : l
      const args = [
        name,
        k,
        ...b,
        ...lim,
        ...g,
        ...o,
        ...a,
        ...(store !== null && !tiesInHashOrder ? ['STORE', store] : []),
      ]
      return [step(args, setOrder ? { normalize: unorderedElements } : {})]
    })

/** The keys the patterns read: `w_<element>` weights and `h_<element>` hashes with field f. */
const patternData = fc.oneof(
  fc.tuple(element, fc.constantFrom('5', '-1', '0.5', 'abc', '3')).map(([e, w]) => ['SET', `w_${e}`, w]),
  fc.tuple(element, fc.constantFrom('5', '-2', 'zz', '1')).map(([e, w]) => ['HSET', `h_${e}`, 'f', w]),
  element.map((e) => ['DEL', `w_${e}`]),
)

export const sortCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, sortOf([SET_KEY])],
  [
    3,
    single(
      fc
        .tuple(fc.constantFrom('RPUSH', 'LPUSH'), fc.constantFrom('a', 'b'), elements)
        .map(([c, k, es]) => [c, k, ...es]),
    ),
  ],
  [2, single(elements.map((es) => ['SADD', SET_KEY, ...es]))],
  [
    2,
    single(
      fc
        .tuple(
          fc.constant(SET_KEY),
          fc.array(fc.tuple(fc.constantFrom('1', '2', '0', '-1'), element), { minLength: 1, maxLength: 3 }),
        )
        .map(([k, ps]) => ['ZADD', k, ...ps.flat()]),
    ),
  ],
  [4, single(patternData)],
  [2, single(key.map((k) => ['LRANGE', k, '0', '-1']))],
)

/** SORT for the all-types mix, where any key may hold a set. */
export const sortCommandsAnyKey: fc.Arbitrary<GenStep[]> = weighted(
  [8, sortOf(['a', 'b', 'c'])],
  [4, single(patternData)],
)
