/**
 * LCS: redsim must reply exactly as redis-server does — the subsequence chosen among equal-length ones, the ranges of
 * IDX in Redis's order, every option and error, RESP2 and RESP3. Random strings over a small alphabet (many equal
 * length candidates, many ranges) come from a fixed fast-check seed; DIFF_SEED replays another.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { describeDifferential, differentialCases, type StepInput } from './harness.ts'
import { helloWithoutId } from './normalize.ts'

const seed = process.env.DIFF_SEED === undefined ? 20260 : Number(process.env.DIFF_SEED)

describeDifferential('differential: lcs', (pair) => {
  differentialCases(pair, {
    'LCS, LEN, IDX, WITHMATCHLEN and MINMATCHLEN': [
      'MSET virus1{t} ohmytext virus2{t} mynewtext',
      'LCS virus1{t} virus2{t}',
      'LCS virus1{t} virus2{t} LEN',
      'LCS virus1{t} virus2{t} IDX',
      'LCS virus1{t} virus2{t} IDX WITHMATCHLEN',
      'LCS virus1{t} virus2{t} IDX MINMATCHLEN 4',
      'LCS virus1{t} virus2{t} IDX MINMATCHLEN 4 WITHMATCHLEN',
      'LCS virus1{t} virus2{t} IDX MINMATCHLEN -3',
      'LCS virus1{t} virus2{t} idx minmatchlen 99999999999999',
      'LCS virus2{t} virus1{t} IDX',
    ],
    'missing keys are empty strings; integers are compared as text': [
      'LCS missing1 missing2',
      'LCS missing1 missing2 LEN',
      'LCS missing1 missing2 IDX',
      'SET n 12345',
      'SET m 2x4',
      'LCS n m',
      'LCS n missing IDX WITHMATCHLEN',
    ],
    errors: [
      'LCS a',
      'RPUSH l x',
      'SET s abc',
      'LCS l s',
      'LCS s l LEN',
      'LCS s s LEN IDX',
      'LCS s s IDX LEN',
      'LCS s s BOGUS',
      'LCS s s MINMATCHLEN',
      'LCS s s MINMATCHLEN abc',
      'LCS s s MINMATCHLEN 1.5 IDX',
      'LCS s s LEN LEN',
    ],
    'the table limit is proto-max-bulk-len': [
      'CONFIG SET proto-max-bulk-len 1mb',
      ['SET', 'big1', 'x'.repeat(600)],
      ['SET', 'big2', 'y'.repeat(600)],
      'LCS big1 big2 LEN',
      ['SET', 'small', 'xy'.repeat(100)],
      'LCS big1 small LEN',
      'CONFIG SET proto-max-bulk-len 512mb',
    ],
    'RESP3 map for IDX': [
      { args: ['HELLO', '3'], normalize: helloWithoutId },
      'MSET a{t} abcdefgh b{t} xbcdyfgz',
      'LCS a{t} b{t} IDX WITHMATCHLEN',
      'LCS a{t} b{t} LEN',
      'LCS a{t} b{t}',
    ],
  })

  it('random strings: LCS, LEN and IDX with every option', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), maxLength: 24 })
    await fc.assert(
      fc.asyncProperty(text, text, fc.integer({ min: 0, max: 4 }), async (a, b, min) => {
        const steps: StepInput[] = [
          ['SET', 'k1', a],
          ['SET', 'k2', b],
          'LCS k1 k2',
          'LCS k1 k2 LEN',
          'LCS k1 k2 IDX',
          `LCS k1 k2 IDX WITHMATCHLEN MINMATCHLEN ${min}`,
          'LCS k2 k1 IDX WITHMATCHLEN',
        ]
        await pair().expectSame(steps)
      }),
      { numRuns: 60, seed },
    )
  })
})
