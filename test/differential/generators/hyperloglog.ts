/** HyperLogLog commands over sparse and dense sketches, corrupted ones and plain strings (PFADD..PFMERGE). */
import fc from 'fast-check'
import { type GenStep, key, keys, single, step, weighted } from './common.ts'

const element = fc.integer({ min: 0, max: 3000 }).map((n) => `e${n}`)
/** Up to a few hundred elements at once, so sketches cross from sparse to dense within a sequence. */
const elements = fc.oneof(
  { weight: 4, arbitrary: fc.array(element, { minLength: 0, maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 3000 }).map((start) => Array.from({ length: 400 }, (_, i) => `e${start + i}`)),
  },
)

export const hllCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, single(fc.tuple(key, elements).map(([k, es]) => ['PFADD', k, ...es]))],
  [5, single(keys(1, 3).map((ks) => ['PFCOUNT', ...ks]))],
  [1, single(fc.constant(['PFCOUNT']))],
  [4, single(fc.tuple(key, keys(0, 3)).map(([d, ks]) => ['PFMERGE', d, ...ks]))],
  // The raw sketch must be byte-identical: sparse and dense encodings, header and cached cardinality.
  [3, single(key.map((k) => ['GET', k]))],
  [1, single(key.map((k) => ['STRLEN', k]))],
  // Damage a sketch: a plain string, a flipped encoding byte, a truncated or extended sketch.
  [1, single(fc.tuple(key, fc.constantFrom('x', 'HYLL', 'HYLL\x01\x00\x00\x00')).map(([k, v]) => ['SET', k, v]))],
  [1, single(fc.tuple(key, fc.constantFrom('\x00', '\x01', '\x02', '\xff')).map(([k, b]) => ['SETRANGE', k, '4', b]))],
  [1, single(fc.tuple(key, fc.constantFrom('20', '100', '16000')).map(([k, o]) => ['SETRANGE', k, o, '\xff\xff']))],
  [1, single(fc.tuple(key, fc.constantFrom('\x00', 'x')).map(([k, v]) => ['APPEND', k, v]))],
  [1, fc.constantFrom('0', '1', '200', '3000').map((n) => [step(['CONFIG', 'SET', 'hll-sparse-max-bytes', n])])],
  [1, single(key.map((k) => ['SADD', k, '1']))],
)
