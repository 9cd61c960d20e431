/**
 * SORT cases where Redis's choice of algorithm shows: ALPHA by a pattern compares only the weights, so tied elements
 * keep whatever order the sort leaves them in: glibc's stable merge sort without LIMIT, pqsort with one.
 */
import { describeDifferential, differentialCases } from './harness.ts'

const tiedList = ['RPUSH', 'l', ...'qwertyuiopasdfghjklzxcvbnm'.split(''), ...'0123456789'.split('')]
const someWeights = ['MSET', 'w_q', '2', 'w_a', '1', 'w_z', '2', 'w_5', '0', 'w_m', '1']
const manyTied = ['RPUSH', 'big', ...Array.from({ length: 60 }, (_, i) => `e${(i * 37) % 60}`)]

describeDifferential('differential: SORT tie order', (pair) => {
  differentialCases(pair, {
    'SORT converts a sorted set to a skiplist, once its options parse': [
      'ZADD z 1 a 2 b',
      'SORT z LIMIT x 1',
      'OBJECT ENCODING z',
      'SORT z BOGUS',
      'OBJECT ENCODING z',
      'SORT_RO z BY nosort',
      'OBJECT ENCODING z',
      'ZADD y 1 a',
      'SORT y ALPHA STORE d',
      'OBJECT ENCODING y',
      'ZADD x 1 1',
      'SORT x',
      'OBJECT ENCODING x',
    ],
    'ALPHA BY missing weights, no LIMIT: input order': [
      tiedList,
      'SORT l BY nosuch_* ALPHA',
      'SORT l BY nosuch_* ALPHA DESC',
    ],
    'ALPHA BY missing weights with LIMIT (pqsort)': [
      tiedList,
      'SORT l BY nosuch_* ALPHA LIMIT 0 5',
      'SORT l BY nosuch_* ALPHA LIMIT 10 7',
      'SORT l BY nosuch_* ALPHA DESC LIMIT 30 10',
    ],
    'ALPHA BY partly tied weights with LIMIT (pqsort)': [
      tiedList,
      someWeights,
      'SORT l BY w_* ALPHA LIMIT 0 4',
      'SORT l BY w_* ALPHA LIMIT 31 5',
      'SORT l BY w_* ALPHA DESC LIMIT 2 3 GET #',
    ],
    'more than 40 tied elements (ninther pivot)': [
      manyTied,
      'MSET w_e3 5 w_e17 1 w_e40 3',
      'SORT big BY w_* ALPHA LIMIT 0 10',
      'SORT big BY w_* ALPHA LIMIT 25 10',
      'SORT big BY w_* ALPHA LIMIT 55 10 STORE dst',
      'LRANGE dst 0 -1',
    ],
  })
})
