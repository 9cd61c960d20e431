/**
 * Connection commands and the wire protocol itself (inline commands, protocol errors): redsim must send exactly the
 * bytes redis-server sends, including closing the connection after a protocol error.
 */
import { describeDifferential, differentialCases, type Step } from './harness.ts'
import { helloWithoutId } from './normalize.ts'

const raw = (bytes: string, replies: number | 'close' = 1): Step => ({ raw: bytes, replies })
/** Reads one reply that the server sends without a request (a pub/sub message) on `client`. */
const receive = (client = 0): Step => ({ raw: '', replies: 1, client })
/** A command sent by the second connection. */
const other = (command: string): Step => ({ args: command.split(' '), client: 1 })

describeDifferential('differential: connection commands', (pair) => {
  differentialCases(pair, {
    PING: ['PING', 'PING hello', 'PING a b', 'ping'],
    ECHO: ['ECHO hi', ['ECHO', ''], 'ECHO', 'ECHO a b', ['ECHO', Buffer.from([0, 255, 13, 10])]],
    SELECT: [
      'SELECT 1',
      'SET k v',
      'SELECT 0',
      'GET k',
      'SELECT 15',
      'SELECT 16',
      'SELECT -1',
      'SELECT abc',
      'SELECT 1.5',
      'SELECT',
    ],
    QUIT: [{ args: ['QUIT'], replies: 'close' }],
    'QUIT ignores what follows it': [
      raw('*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\nv\r\n', 'close'),
      { args: ['EXISTS', 'q'], client: 1 },
    ],
    'AUTH without a configured password': ['AUTH secret', 'AUTH default secret', 'AUTH someone secret', 'AUTH'],
    'HELLO errors': ['HELLO 4', 'HELLO 1', 'HELLO abc', 'HELLO 3 BOGUS', 'HELLO 2 AUTH', 'HELLO 2 SETNAME'],
    'HELLO switches protocol': [
      { args: ['HELLO', '3'], normalize: helloWithoutId },
      'GET missing',
      'PING',
      { args: ['HELLO', '2'], normalize: helloWithoutId },
      'GET missing',
    ],
    'CLIENT SETNAME / GETNAME': [
      'CLIENT GETNAME',
      'CLIENT SETNAME myname',
      'CLIENT GETNAME',
      ['CLIENT', 'SETNAME', 'with space'],
      ['CLIENT', 'SETNAME', 'new\nline'],
      ['CLIENT', 'SETNAME', ''],
      'CLIENT GETNAME',
      'CLIENT BOGUS',
    ],
    RESET: ['SELECT 2', 'MULTI', 'SET k v', 'RESET', 'GET k', 'SET k in0', 'SELECT 0', 'GET k'],
    'pub/sub messages on the wire (RESP2)': [
      { args: ['SUBSCRIBE', 'a', 'b'], replies: 2 },
      other('PUBLISH b one'),
      receive(),
      { args: ['PSUBSCRIBE', 'a*'] },
      other('PUBLISH a two'),
      { raw: '', replies: 2 },
      'PING',
      'GET k',
      // Redis walks its channel dict (seeded hash, so the order of several channels varies between runs): leave
      // one channel for the argument-less UNSUBSCRIBE.
      'UNSUBSCRIBE b',
      'UNSUBSCRIBE',
      'PUNSUBSCRIBE',
      'GET k',
    ],
    'pub/sub messages on the wire (RESP3)': [
      { args: ['HELLO', '3'], normalize: helloWithoutId },
      { args: ['SUBSCRIBE', 'a'] },
      other('PUBLISH a one'),
      receive(),
      'GET k',
      'PING',
      'UNSUBSCRIBE a',
    ],
  })
})

describeDifferential('differential: wire protocol', (pair) => {
  differentialCases(pair, {
    'inline commands': [
      raw('PING\r\n'),
      raw('PING\n'),
      raw('ECHO "a\\x41\\n\\t\\\\"\r\n'),
      raw("SET k 'v v'\r\nGET k\r\n", 2),
      raw('\r\n\r\n  \r\nPING\r\n'),
      raw('ECHO ab"c d"\r\n'),
      raw('echo \x0bx\x0by\r\n'),
      raw("ECHO 'it\\'s'\r\n"),
      raw('ECHO ""\r\n'),
      raw('NOSUCH a b\r\n'),
      raw('GET\r\n'),
    ],
    'multibulk edge cases': [
      raw('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n'),
      raw('*1\r\n$4\r\nPINGxx'),
      raw('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n'),
      raw('*1\r\n$4\r\nP', 0),
      raw('ING\r\n', 1),
    ],
    'protocol error: invalid multibulk length': [raw('*x\r\n', 'close')],
    'protocol error: multibulk length with a leading zero': [raw('*01\r\n', 'close')],
    'protocol error: multibulk length beyond INT_MAX': [raw('*2147483648\r\n', 'close')],
    'protocol error: invalid bulk length': [raw('*1\r\n$-1\r\n', 'close')],
    'protocol error: bulk length beyond proto-max-bulk-len': [raw('*1\r\n$536870913\r\n', 'close')],
    "protocol error: expected '$'": [raw('*1\r\nx\r\n', 'close')],
    "protocol error: expected '$', got a CR": [raw('*1\r\n\r\n', 'close')],
    'protocol error: unbalanced quotes': [raw('ECHO "abc\r\n', 'close')],
    'protocol error: closing quote not followed by a space': [raw('ECHO "a"b\r\n', 'close')],
    'protocol error after valid commands': [raw('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4x\r\n', 'close')],
    'protocol error: too big inline request': [raw(`ECHO ${'a'.repeat(70_000)}`, 'close')],
    'protocol error: too big mbulk count string': [raw(`*${'1'.repeat(70_000)}`, 'close')],
    'protocol error: too big bulk count string': [raw(`*1\r\n$${'1'.repeat(70_000)}`, 'close')],
    'other connections keep working after a protocol error': [
      { args: ['SET', 'k', 'v'], client: 1 },
      raw('*1\r\n$x\r\n', 'close'),
      { args: ['GET', 'k'], client: 1 },
    ],
  })
})
