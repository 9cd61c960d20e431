/**
 * OBJECT subcommands and the encoding thresholds: CONFIG SET of Redis's thresholds (under their listpack and ziplist
 * names), then writes that cross them, then OBJECT ENCODING. Sequences using this generator start from
 * the defaults (`DEFAULT_THRESHOLDS`), since CONFIG outlives FLUSHALL.
 */
import fc from 'fast-check'
import type { Step } from '../harness.ts'
import { type GenStep, key, LONG, single, smallIdleTime, step, value, weighted } from './common.ts'

/** Redis 7.0's defaults, restored before every sequence. */
export const DEFAULT_THRESHOLDS: Array<[string, string]> = [
  ['hash-max-listpack-entries', '512'],
  ['hash-max-listpack-value', '64'],
  ['set-max-intset-entries', '512'],
  ['zset-max-listpack-entries', '128'],
  ['zset-max-listpack-value', '64'],
  ['list-max-listpack-size', '-2'],
  ['list-compress-depth', '0'],
  ['hll-sparse-max-bytes', '3000'],
]

export const resetThresholds: Step[] = DEFAULT_THRESHOLDS.map(([name, v]) => ({ args: ['CONFIG', 'SET', name, v] }))

const threshold = fc.constantFrom(
  'hash-max-listpack-entries',
  'hash-max-ziplist-entries',
  'hash-max-listpack-value',
  'hash-max-ziplist-value',
  'set-max-intset-entries',
  'zset-max-listpack-entries',
  'zset-max-ziplist-entries',
  'zset-max-listpack-value',
  'zset-max-ziplist-value',
  'list-max-listpack-size',
  'list-max-ziplist-size',
  'list-compress-depth',
)
const thresholdValue = fc.constantFrom('0', '1', '2', '3', '4', '-1', '-2', '-6', '64', 'x', '1kb', '')

const write = fc.oneof(
  fc
    .tuple(
      key,
      fc.array(fc.constantFrom('1', '2', '3', '-7', '12345678901', 'x', LONG), { minLength: 1, maxLength: 3 }),
    )
    .map(([k, ms]) => ['SADD', k, ...ms]),
  fc.tuple(key, fc.constantFrom('f1', 'f2', 'f3', 'f4', LONG), value).map(([k, f, v]) => ['HSET', k, f, v]),
  fc
    .tuple(key, fc.constantFrom('x', 'y', 'z', 'w', LONG), fc.constantFrom('1', '2', '-0'))
    .map(([k, m, s]) => ['ZADD', k, s, m]),
  fc.tuple(key, value).map(([k, v]) => ['RPUSH', k, v]),
  fc
    .tuple(key, fc.constantFrom('1', '12345', 'abc', '-0', '9223372036854775808', LONG, 'x'.repeat(44), 'x'.repeat(45)))
    .map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, fc.constantFrom('x', '1')).map(([k, v]) => ['APPEND', k, v]),
  key.map((k) => ['INCR', k]),
  key.map((k) => ['INCRBYFLOAT', k, '1.5']),
  fc.tuple(key, fc.constantFrom('f1', 'x', '1', 'w')).map(([k, m]) => ['SREM', k, m]),
  fc.tuple(key, fc.constantFrom('f1', 'f2')).map(([k, m]) => ['HDEL', k, m]),
  fc.tuple(key, fc.constantFrom('x', 'y')).map(([k, m]) => ['ZREM', k, m]),
  key.map((k) => ['LPOP', k]),
  fc.tuple(key, key).map(([d, s]) => ['SUNIONSTORE', d, s]),
  fc.tuple(key, key).map(([d, s]) => ['ZUNIONSTORE', d, '1', s]),
  fc.tuple(key, key).map(([d, s]) => ['ZRANGESTORE', d, s, '0', '-1']),
  fc.tuple(key, key).map(([d, s]) => ['SINTERSTORE', d, s, s]),
)

/** Valid thresholds that make small collections take their large encodings, for the per-type sequences. */
export const lowThresholds: fc.Arbitrary<GenStep[]> = single(
  fc
    .tuple(threshold, fc.constantFrom('0', '1', '2', '3'))
    .map(([n, v]) => ['CONFIG', 'SET', n, n.startsWith('list-max') ? `-${v === '0' ? '1' : v}` : v]),
)

export const objectCommands: fc.Arbitrary<GenStep[]> = weighted(
  [3, single(fc.tuple(threshold, thresholdValue).map(([n, v]) => ['CONFIG', 'SET', n, v]))],
  [1, single(threshold.map((n) => ['CONFIG', 'GET', n]))],
  [8, single(write)],
  [6, single(key.map((k) => ['OBJECT', 'ENCODING', k]))],
  [1, single(key.map((k) => ['OBJECT', 'REFCOUNT', k]))],
  [
    1,
    single(
      key.map((k) => ['OBJECT', 'IDLETIME', k]),
      { normalize: smallIdleTime },
    ),
  ],
  [1, single(key.map((k) => ['OBJECT', 'FREQ', k]))],
  [
    1,
    single(
      fc.constantFrom(['OBJECT'], ['OBJECT', 'BOGUS', 'a'], ['OBJECT', 'ENCODING'], ['OBJECT', 'ENCODING', 'a', 'b']),
    ),
  ],
  [1, fc.constant([step(['OBJECT', 'HELP'])])],
  [2, single(key.map((k) => ['TYPE', k]))],
)
