/**
 * The encoding thresholds' defaults, as a redis-server started without a configuration file reports them (the pair's
 * redis-server is fresh: nothing ran CONFIG SET on it before this suite), under their listpack and ziplist names.
 */
import { unorderedPairs } from './generators/common.ts'
import { describeDifferential, differentialCases } from './harness.ts'

const THRESHOLDS = [
  'hash-max-listpack-entries',
  'hash-max-ziplist-entries',
  'hash-max-listpack-value',
  'hash-max-ziplist-value',
  'list-max-listpack-size',
  'list-max-ziplist-size',
  'list-compress-depth',
  'set-max-intset-entries',
  'zset-max-listpack-entries',
  'zset-max-ziplist-entries',
  'zset-max-listpack-value',
  'zset-max-ziplist-value',
  'hll-sparse-max-bytes',
]

describeDifferential('differential: encoding threshold defaults', (pair) => {
  differentialCases(pair, {
    'CONFIG GET of every threshold on a fresh server': THRESHOLDS.map((name) => ['CONFIG', 'GET', name]),
    // In Redis's dict order: compared as name/value pairs.
    'CONFIG GET by pattern': [
      { args: ['CONFIG', 'GET', '*-max-*-entries'], normalize: unorderedPairs },
      { args: ['CONFIG', 'GET', '*-max-*-value'], normalize: unorderedPairs },
      { args: ['CONFIG', 'GET', 'list-*'], normalize: unorderedPairs },
    ],
  })
})
