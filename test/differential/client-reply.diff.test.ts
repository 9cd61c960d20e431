/**
 * CLIENT REPLY ON|OFF|SKIP: which replies a connection gets, byte for byte as redis-server. Commands go out pipelined
 * as raw bytes and the step reads exactly the replies Redis sends, so a reply redsim wrongly writes shows up in the
 * next step's bytes.
 */
import { describeDifferential, differentialCases, type Step } from './harness.ts'

const pipeline = (commands: string[], replies: number, client = 0): Step => ({
  raw: commands.map((c) => `${c}\r\n`).join(''),
  replies,
  client,
})

describeDifferential('differential: CLIENT REPLY', (pair) => {
  differentialCases(pair, {
    'OFF silences every reply until ON': [
      pipeline(['CLIENT REPLY OFF', 'SET a 1', 'INCR a', 'GET nothing', 'CLIENT REPLY ON'], 1),
      'GET a',
    ],
    'SKIP silences itself and the next command only': [
      pipeline(['CLIENT REPLY SKIP', 'SET a 1', 'INCR a'], 1),
      pipeline(['CLIENT REPLY SKIP', 'CLIENT REPLY ON', 'GET a'], 2),
      pipeline(['CLIENT REPLY OFF', 'CLIENT REPLY SKIP', 'SET b 1', 'CLIENT REPLY ON', 'GET b'], 2),
    ],
    'errors are silenced too; a bad argument is a syntax error': [
      pipeline(['CLIENT REPLY OFF', 'INCR', 'BOGUS', 'CLIENT REPLY ON'], 1),
      'CLIENT REPLY MAYBE',
      'CLIENT REPLY',
      'CLIENT REPLY ON ON',
    ],
    'pub/sub confirmations and messages are pushes: written under OFF': [
      pipeline(['CLIENT REPLY OFF', 'SUBSCRIBE ch1 ch2', 'PSUBSCRIBE ch*'], 3, 1),
      'PUBLISH ch1 hello',
      { raw: '', replies: 2, client: 1 },
      pipeline(['UNSUBSCRIBE ch1', 'PUNSUBSCRIBE'], 2, 1),
      pipeline(['CLIENT REPLY ON', 'UNSUBSCRIBE', 'RESET'], 2, 1),
    ],
    'RESET turns replies back on': [pipeline(['CLIENT REPLY OFF', 'SET a 1', 'RESET', 'GET a'], 2)],
  })
})
