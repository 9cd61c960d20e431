/**
 * MONITOR: the lines a monitoring connection gets, byte for byte as redis-server apart from the time and the
 * client's port (normalized): which commands are shown (not admin ones), in which order (EVAL and FCALL before their
 * script's commands, marked `lua`), the database, and the quoting of arguments.
 */
import { describeDifferential, differentialCases, type Step } from './harness.ts'

/** `+1733600000.123456 [0 127.0.0.1:54321] ...` -> `+<time> [0 127.0.0.1:<port>] ...` */
function withoutTimeAndPort(reply: string): string {
  return reply.replace(
    /\+\d+\.\d{6} \[(\d+) (127\.0\.0\.1:\d+|lua)\]/g,
    (_, db: string, peer: string) => `+<time> [${db} ${peer === 'lua' ? 'lua' : '127.0.0.1:<port>'}]`,
  )
}

/** Reads `count` lines on the monitoring connection (client 1). */
const lines = (count: number): Step => ({ raw: '', replies: count, client: 1, normalize: withoutTimeAndPort })

describeDifferential('differential: MONITOR', (pair) => {
  differentialCases(pair, {
    'commands, quoting and the selected database': [
      { args: ['MONITOR'], client: 1 },
      'SET foo bar',
      ['SET', 'bin', 'a"b\\c\r\n\t\x07\x08\x00\xff ok'],
      'GET foo',
      'SELECT 3',
      'INCR n',
      'SELECT 0',
      'CONFIG GET maxmemory',
      'PING',
      lines(7),
    ],
    'scripts: EVAL first, then its commands as lua; errors are shown too': [
      { args: ['MONITOR'], client: 1 },
      ['EVAL', "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", '1', 'k', 'v'],
      'INCR',
      'LPUSH foo',
      'GET foo',
      lines(4),
    ],
    'MULTI/EXEC: MULTI, the queued commands when EXEC runs them, then EXEC; an aborted EXEC alone': [
      { args: ['MONITOR'], client: 1 },
      'MULTI',
      'SET a 1',
      'INCR a',
      'EXEC',
      'MULTI',
      'NOSUCHCOMMAND',
      'EXEC',
      lines(6),
    ],
    'MONITOR twice answers nothing the second time': [
      { args: ['MONITOR'], client: 1 },
      { raw: 'MONITOR\r\n', replies: 0, client: 1 },
      'SET x 1',
      lines(1),
    ],
  })
})
