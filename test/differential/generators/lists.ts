/** List commands, blocking ones included, with valid and invalid arguments (LPUSH .. BLMPOP). */
import fc from 'fast-check'
import {
  blockingStep,
  count,
  type GenStep,
  index,
  key,
  keys,
  single,
  step,
  timeout,
  value,
  weighted,
} from './common.ts'

const values = (min = 1, max = 4) => fc.array(value, { minLength: min, maxLength: max })
const end = fc.constantFrom('LEFT', 'RIGHT', 'left', 'UP')
const side = fc.constantFrom('LEFT', 'RIGHT')
const optionalCount = fc.constantFrom(
  [],
  [],
  ['COUNT', '1'],
  ['COUNT', '2'],
  ['COUNT', '10'],
  ['COUNT', '0'],
  ['COUNT', '-1'],
  ['COUNT'],
)
const numkeys = (ks: string[]) =>
  fc.constantFrom(String(ks.length), String(ks.length), '0', '-1', String(ks.length + 1), 'x')

const lpos = fc
  .tuple(
    key,
    value,
    fc.constantFrom([], ['RANK', '1'], ['RANK', '-1'], ['RANK', '2'], ['RANK', '0'], ['RANK', '-9223372036854775808']),
    fc.constantFrom([], ['COUNT', '0'], ['COUNT', '2'], ['COUNT', '-1']),
    fc.constantFrom([], ['MAXLEN', '0'], ['MAXLEN', '2'], ['MAXLEN', '-1'], ['MAXLEN', 'x'], ['BOGUS']),
  )
  .map(([k, v, rank, c, maxlen]) => ['LPOS', k, v, ...rank, ...c, ...maxlen])

/** Blocking pops; the first key usually gets an element first, so most do not wait at all. */
const blocking: fc.Arbitrary<GenStep[]> = fc
  .tuple(
    fc.boolean(),
    keys(1, 2),
    key,
    side,
    side,
    timeout,
    optionalCount,
    fc.constantFrom('BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP'),
  )
  .map(([prepush, ks, dst, from, to, t, c, name]) => {
    const first = ks[0]
    let command: GenStep
    switch (name) {
      case 'BLMOVE':
        command = blockingStep(['BLMOVE', first, dst, from, to, t], 5)
        break
      case 'BRPOPLPUSH':
        command = blockingStep(['BRPOPLPUSH', first, dst, t], 3)
        break
      case 'BLMPOP':
        command = blockingStep(['BLMPOP', t, String(ks.length), ...ks, from, ...c], 1)
        break
      default:
        command = blockingStep([name, ...ks, t], ks.length + 1)
    }
    return prepush ? [step(['RPUSH', first, 'p']), command] : [command]
  })

export const listCommands: fc.Arbitrary<GenStep[]> = weighted(
  [6, single(fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key, values()).map(([c, k, vs]) => [c, k, ...vs]))],
  [2, single(fc.tuple(fc.constantFrom('LPUSHX', 'RPUSHX'), key, values()).map(([c, k, vs]) => [c, k, ...vs]))],
  [1, single(fc.tuple(fc.constantFrom('LPUSH', 'RPUSHX'), key).map(([c, k]) => [c, k]))],
  [4, single(fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key).map(([c, k]) => [c, k]))],
  [3, single(fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, count).map(([c, k, n]) => [c, k, n]))],
  [2, single(key.map((k) => ['LLEN', k]))],
  [5, single(fc.tuple(key, index, index).map(([k, s, e]) => ['LRANGE', k, s, e]))],
  [3, single(fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]))],
  [3, single(fc.tuple(key, index, value).map(([k, i, v]) => ['LSET', k, i, v]))],
  [
    3,
    single(
      fc
        .tuple(key, fc.constantFrom('BEFORE', 'AFTER', 'after', 'MIDDLE'), value, value)
        .map(([k, where, pivot, v]) => ['LINSERT', k, where, pivot, v]),
    ),
  ],
  [
    3,
    single(fc.tuple(key, fc.constantFrom('0', '1', '-1', '2', '-2', 'x'), value).map(([k, n, v]) => ['LREM', k, n, v])),
  ],
  [3, single(fc.tuple(key, index, index).map(([k, s, e]) => ['LTRIM', k, s, e]))],
  [3, single(lpos)],
  [2, single(fc.tuple(key, key).map(([s, d]) => ['RPOPLPUSH', s, d]))],
  [3, single(fc.tuple(key, key, end, end).map(([s, d, f, t]) => ['LMOVE', s, d, f, t]))],
  [
    3,
    single(
      keys(1, 3).chain((ks) =>
        fc.tuple(numkeys(ks), end, optionalCount).map(([n, e, c]) => ['LMPOP', n, ...ks, e, ...c]),
      ),
    ),
  ],
  [4, blocking],
)
