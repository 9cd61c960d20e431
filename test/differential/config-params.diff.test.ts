/** CONFIG parameters redsim accepts as Redis 7.0 does: defaults, validation, immutability and the values read back. */
import { describeDifferential, differentialCases } from './harness.ts'

describeDifferential('differential: CONFIG parameters', (pair) => {
  differentialCases(pair, {
    'daemonize is immutable': ['CONFIG GET daemonize', 'CONFIG SET daemonize yes', 'CONFIG SET daemonize no'],
    'repl-backlog-size: a memory value of at least 16kb': [
      'CONFIG GET repl-backlog-size',
      'CONFIG SET repl-backlog-size 0',
      'CONFIG SET repl-backlog-size -1',
      'CONFIG SET repl-backlog-size abc',
      'CONFIG SET repl-backlog-size 1kb',
      'CONFIG GET repl-backlog-size',
      'CONFIG SET repl-backlog-size 10000002',
      'CONFIG GET repl-backlog-size',
      'CONFIG SET repl-backlog-size 2mb',
      'CONFIG GET repl-backlog-size',
      ['CONFIG', 'SET', 'maxmemory', '10000001', 'repl-backlog-size', '10000003', 'save', '3000 5'],
      'CONFIG GET repl-backlog-size',
      'CONFIG GET maxmemory',
      ['CONFIG', 'SET', 'maxmemory', '0', 'save', '', 'repl-backlog-size', '1048576'],
    ],
    'several at once, one immutable: nothing is set': [
      'CONFIG SET repl-backlog-size 5mb daemonize no',
      'CONFIG GET repl-backlog-size',
    ],
  })
})
