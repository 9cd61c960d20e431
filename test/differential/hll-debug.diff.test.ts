/** PFDEBUG and PFSELFTEST: redsim must reply exactly as redis-server does. */
import { describeDifferential, differentialCases } from './harness.ts'

describeDifferential('differential: PFDEBUG', (pair) => {
  differentialCases(pair, {
    'ENCODING, DECODE, GETREG and TODENSE': [
      'PFADD h a b c',
      'PFDEBUG ENCODING h',
      'PFDEBUG DECODE h',
      'PFDEBUG GETREG h',
      'PFDEBUG encoding h',
      'GET h',
      'PFADD h2 x y z w',
      'PFDEBUG TODENSE h2',
      'PFDEBUG TODENSE h2',
      'PFDEBUG DECODE h2',
      'GET h2',
      'PFCOUNT h2',
    ],
    'a sparse sketch with many runs decodes opcode by opcode': [
      'PFADD big 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30',
      'PFDEBUG DECODE big',
    ],
    'errors: missing key first, then type, then subcommand': [
      'PFDEBUG',
      'PFDEBUG foo bar',
      'PFDEBUG foo bar baz',
      'SET s x',
      'PFDEBUG ENCODING s',
      'RPUSH l x',
      'PFDEBUG GETREG l',
      'PFADD h a',
      'PFDEBUG foo h',
      'PFSELFTEST extra',
      'COMMAND INFO pfdebug pfselftest',
    ],
  })
})
