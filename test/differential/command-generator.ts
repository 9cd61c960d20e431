/**
 * fast-check arbitraries for differential sequences: commands over a tiny keyspace (so commands collide), two
 * connections (so WATCH and MULTI interleave), and only deterministic commands: no relative TTL is observed exactly,
 * no randomness, no server-specific output.
 */
import fc from 'fast-check'
import type { Step } from './harness.ts'
import { positiveIntegerAsTtl } from './normalize.ts'

const KEYS = ['a', 'b', 'c']
const VALUES = [
  '0',
  '1',
  '-1',
  '10',
  '3.0',
  '1.5',
  'abc',
  '',
  ' 1',
  '1e3',
  '9223372036854775807',
  '-9223372036854775808',
]
/** Far enough that nothing expires while a test runs. */
const FAR_SECONDS = '100000'
const FAR_UNIX = '4102444800'
const FAR_UNIX_LATER = '4102444900'

const key = fc.constantFrom(...KEYS)
const value = fc.constantFrom(...VALUES)
const integer = fc.constantFrom('0', '1', '-1', '7', '-100', '9223372036854775807', '-9223372036854775808', 'x', '1.5')
const float = fc.constantFrom('0', '1.5', '-0.25', '0.1', '1e3', '-3', 'abc', '5.0e-2')
const offset = fc.constantFrom('0', '1', '3', '-1')

type Args = string[]

/** EXPIRETIME: the fixed far deadline stays exact; a deadline computed from "now" only keeps its sign. */
function relativeDeadline(reply: string): string {
  return reply === `:${FAR_UNIX}\r\n` || reply === `:${FAR_UNIX_LATER}\r\n` ? reply : positiveIntegerAsTtl(reply)
}

const setCommand: fc.Arbitrary<Args> = fc
  .tuple(
    key,
    value,
    fc.constantFrom([], ['NX'], ['XX']),
    fc.constantFrom([], ['GET']),
    fc.constantFrom([], ['KEEPTTL'], ['EX', FAR_SECONDS], ['EXAT', FAR_UNIX], ['PX', '0']),
  )
  .map(([k, v, cond, get, ttl]) => ['SET', k, v, ...cond, ...get, ...ttl])

/** Commands that read or write strings and keys, with the weights of a plausible workload. */
const dataCommand: fc.Arbitrary<Args> = fc.oneof(
  { weight: 6, arbitrary: setCommand },
  { weight: 6, arbitrary: key.map((k) => ['GET', k]) },
  { weight: 2, arbitrary: fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]) },
  { weight: 1, arbitrary: key.map((k) => ['GETDEL', k]) },
  { weight: 2, arbitrary: fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]) },
  { weight: 2, arbitrary: fc.tuple(key, key).map(([k1, k2]) => ['MGET', k1, k2]) },
  { weight: 2, arbitrary: fc.tuple(key, value, key, value).map(([k1, v1, k2, v2]) => ['MSET', k1, v1, k2, v2]) },
  { weight: 1, arbitrary: fc.tuple(key, value, key, value).map(([k1, v1, k2, v2]) => ['MSETNX', k1, v1, k2, v2]) },
  { weight: 4, arbitrary: key.map((k) => ['INCR', k]) },
  { weight: 2, arbitrary: key.map((k) => ['DECR', k]) },
  { weight: 2, arbitrary: fc.tuple(key, integer).map(([k, n]) => ['INCRBY', k, n]) },
  { weight: 1, arbitrary: fc.tuple(key, integer).map(([k, n]) => ['DECRBY', k, n]) },
  { weight: 2, arbitrary: fc.tuple(key, float).map(([k, f]) => ['INCRBYFLOAT', k, f]) },
  { weight: 3, arbitrary: fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]) },
  { weight: 2, arbitrary: key.map((k) => ['STRLEN', k]) },
  { weight: 1, arbitrary: fc.tuple(key, offset, offset).map(([k, s, e]) => ['GETRANGE', k, s, e]) },
  { weight: 1, arbitrary: fc.tuple(key, offset, value).map(([k, o, v]) => ['SETRANGE', k, o, v]) },
  { weight: 3, arbitrary: fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]) },
  { weight: 3, arbitrary: fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['EXISTS', ...ks]) },
  { weight: 1, arbitrary: key.map((k) => ['TYPE', k]) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([k1, k2]) => ['RENAME', k1, k2]) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([k1, k2]) => ['RENAMENX', k1, k2]) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([k1, k2]) => ['COPY', k1, k2]) },
  // GT/LT only with absolute times: two relative EXPIREs with the same seconds compare by the milliseconds between
  // them, which differ from server to server.
  {
    weight: 2,
    arbitrary: fc
      .tuple(key, fc.constantFrom(FAR_SECONDS, '0', '-1'), fc.constantFrom([], ['NX'], ['XX']))
      .map(([k, s, opt]) => ['EXPIRE', k, s, ...opt]),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(key, fc.constantFrom(FAR_UNIX, FAR_UNIX_LATER), fc.constantFrom([], ['NX'], ['XX'], ['GT'], ['LT']))
      .map(([k, t, opt]) => ['EXPIREAT', k, t, ...opt]),
  },
  { weight: 1, arbitrary: key.map((k) => ['EXPIRETIME', k]) },
  { weight: 1, arbitrary: key.map((k) => ['PERSIST', k]) },
  { weight: 1, arbitrary: key.map((k) => ['TTL', k]) },
  { weight: 1, arbitrary: key.map((k) => ['RPUSH', k, 'item']) },
  { weight: 1, arbitrary: key.map((k) => ['LRANGE', k, '0', '-1']) },
  { weight: 1, arbitrary: key.map((k) => ['MOVE', k, '1']) },
  { weight: 1, arbitrary: fc.constantFrom<Args>(['FLUSHDB'], ['FLUSHALL'], ['SWAPDB', '0', '1']) },
  { weight: 1, arbitrary: fc.constant<Args>(['DBSIZE']) },
  { weight: 1, arbitrary: fc.constantFrom<Args>(['SELECT', '0'], ['SELECT', '1']) },
  { weight: 1, arbitrary: fc.constant<Args>(['PING']) },
)

/** Transaction control, interleaved with data commands by the sequence generator. */
const controlCommand: fc.Arbitrary<Args> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Args>(['MULTI']) },
  { weight: 3, arbitrary: fc.constant<Args>(['EXEC']) },
  { weight: 1, arbitrary: fc.constant<Args>(['DISCARD']) },
  { weight: 2, arbitrary: fc.array(key, { minLength: 1, maxLength: 2 }).map((ks) => ['WATCH', ...ks]) },
  { weight: 1, arbitrary: fc.constant<Args>(['UNWATCH']) },
)

const stepArb: fc.Arbitrary<Step> = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: dataCommand }, { weight: 1, arbitrary: controlCommand }),
    fc.constantFrom(0, 0, 0, 1),
  )
  .map(([args, client]) => ({
    args,
    client,
    // A remaining TTL, or the deadline of a relative EXPIRE, depends on when each server ran the command.
    normalize: args[0] === 'TTL' ? positiveIntegerAsTtl : args[0] === 'EXPIRETIME' ? relativeDeadline : undefined,
  }))

export const sequenceArb: fc.Arbitrary<Step[]> = fc.array(stepArb, { minLength: 1, maxLength: 25 })
