/** COMMAND GETKEYS / GETKEYSANDFLAGS where Redis falls back to its own key-finding function (SORT's STORE). */
import { describeDifferential, differentialCases } from './harness.ts'

describeDifferential('differential: COMMAND GETKEYSANDFLAGS', (pair) => {
  differentialCases(pair, {
    'SORT: the source is RO access, the STORE destination OW update': [
      'COMMAND GETKEYSANDFLAGS sort k1 store k2',
      'COMMAND GETKEYSANDFLAGS sort k1 BY x STORE k2 GET y',
      'COMMAND GETKEYSANDFLAGS sort k1 limit 0 1 store k2 store k3',
      'COMMAND GETKEYSANDFLAGS sort k1',
      'COMMAND GETKEYS sort k1 store k2',
      'COMMAND GETKEYSANDFLAGS sort_ro k1',
    ],
  })
})
