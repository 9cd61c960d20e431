/**
 * list commands: expected replies recorded from redis-server 7.0.15 (see redis-cases.ts).
 */
import { describe, it } from 'vitest'
import { expectReplies } from './redis-cases.ts'

describe('list commands', () => {
  it('push pop basics', async () => {
    await expectReplies([
      [['LPUSH', 'l', 'a', 'b', 'c'], ':3\r\n'],
      [['RPUSH', 'l', 'd', 'e'], ':5\r\n'],
      [['LPUSHX', 'l', 'x'], ':6\r\n'],
      [['RPUSHX', 'l', 'y'], ':7\r\n'],
      [['LPUSHX', 'nokey', 'x'], ':0\r\n'],
      [['RPUSHX', 'nokey', 'x'], ':0\r\n'],
      [['EXISTS', 'nokey'], ':0\r\n'],
      [
        ['LRANGE', 'l', '0', '-1'],
        '*7\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\ny\r\n',
      ],
      [['LLEN', 'l'], ':7\r\n'],
      [['LLEN', 'nokey'], ':0\r\n'],
      [['LPOP', 'l'], '$1\r\nx\r\n'],
      [['RPOP', 'l'], '$1\r\ny\r\n'],
      [['LPOP', 'l', '2'], '*2\r\n$1\r\nc\r\n$1\r\nb\r\n'],
      [['RPOP', 'l', '2'], '*2\r\n$1\r\ne\r\n$1\r\nd\r\n'],
      [['LPOP', 'l', '0'], '*0\r\n'],
      [['LPOP', 'l', '100'], '*1\r\n$1\r\na\r\n'],
      [['EXISTS', 'l'], ':0\r\n'],
      [['LPOP', 'nokey'], '$-1\r\n'],
      [['RPOP', 'nokey'], '$-1\r\n'],
      [['LPOP', 'nokey', '2'], '*-1\r\n'],
      [['LPOP', 'nokey', '0'], '*-1\r\n'],
      [['RPUSH', 'l', 'a'], ':1\r\n'],
      [['LPOP', 'l', '-1'], '-ERR value is out of range, must be positive\r\n'],
      [['LPOP', 'l', 'x'], '-ERR value is out of range, must be positive\r\n'],
      [['LPOP', 'l', '1', '2'], "-ERR wrong number of arguments for 'lpop' command\r\n"],
      [['RPOP', 'l', '1', '2'], "-ERR wrong number of arguments for 'rpop' command\r\n"],
      [['LPOP', 'l', '0'], '*0\r\n'],
      [['RPOP', 'l', '1'], '*1\r\n$1\r\na\r\n'],
    ])
  })

  it('lrange lindex', async () => {
    await expectReplies([
      [['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ':5\r\n'],
      [['LRANGE', 'l', '0', '2'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
      [['LRANGE', 'l', '-2', '-1'], '*2\r\n$1\r\nd\r\n$1\r\ne\r\n'],
      [['LRANGE', 'l', '-100', '100'], '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
      [['LRANGE', 'l', '3', '1'], '*0\r\n'],
      [['LRANGE', 'l', '5', '10'], '*0\r\n'],
      [['LRANGE', 'l', '-1', '-5'], '*0\r\n'],
      [['LRANGE', 'l', '0', '9223372036854775807'], '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
      [['LRANGE', 'l', '-9223372036854775808', '0'], '*1\r\n$1\r\na\r\n'],
      [['LRANGE', 'l', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      [['LRANGE', 'l', '0', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['LRANGE', 'nokey', '0', '-1'], '*0\r\n'],
      [['LRANGE', 'nokey', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      [['LINDEX', 'l', '0'], '$1\r\na\r\n'],
      [['LINDEX', 'l', '-1'], '$1\r\ne\r\n'],
      [['LINDEX', 'l', '4'], '$1\r\ne\r\n'],
      [['LINDEX', 'l', '5'], '$-1\r\n'],
      [['LINDEX', 'l', '-6'], '$-1\r\n'],
      [['LINDEX', 'l', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['LINDEX', 'nokey', 'x'], '$-1\r\n'],
      [['LINDEX', 'nokey', '0'], '$-1\r\n'],
    ])
  })

  it('lset linsert lrem ltrim', async () => {
    await expectReplies([
      [['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a'], ':7\r\n'],
      [['LSET', 'l', '0', 'z'], '+OK\r\n'],
      [['LSET', 'l', '-1', 'y'], '+OK\r\n'],
      [['LSET', 'l', '7', 'q'], '-ERR index out of range\r\n'],
      [['LSET', 'l', '-8', 'q'], '-ERR index out of range\r\n'],
      [['LSET', 'l', 'x', 'q'], '-ERR value is not an integer or out of range\r\n'],
      [['LSET', 'nokey', '0', 'q'], '-ERR no such key\r\n'],
      [['LSET', 'nokey', 'x', 'q'], '-ERR no such key\r\n'],
      [
        ['LRANGE', 'l', '0', '-1'],
        '*7\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ny\r\n',
      ],
      [['LINSERT', 'l', 'BEFORE', 'b', 'B'], ':8\r\n'],
      [['LINSERT', 'l', 'after', 'c', 'C'], ':9\r\n'],
      [['LINSERT', 'l', 'before', 'nope', 'x'], ':-1\r\n'],
      [['LINSERT', 'l', 'middle', 'b', 'x'], '-ERR syntax error\r\n'],
      [['LINSERT', 'nokey', 'before', 'a', 'x'], ':0\r\n'],
      [['LINSERT', 'nokey', 'middle', 'a', 'x'], '-ERR syntax error\r\n'],
      [
        ['LRANGE', 'l', '0', '-1'],
        '*9\r\n$1\r\nz\r\n$1\r\nB\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nC\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ny\r\n',
      ],
      [['LREM', 'l', '0', 'c'], ':2\r\n'],
      [['LREM', 'l', '1', 'b'], ':1\r\n'],
      [['LREM', 'l', '-1', 'a'], ':1\r\n'],
      [['LREM', 'l', '5', 'zz'], ':0\r\n'],
      [['LREM', 'l', 'x', 'a'], '-ERR value is not an integer or out of range\r\n'],
      [['LREM', 'nokey', '1', 'a'], ':0\r\n'],
      [['LRANGE', 'l', '0', '-1'], '*5\r\n$1\r\nz\r\n$1\r\nB\r\n$1\r\nC\r\n$1\r\nb\r\n$1\r\ny\r\n'],
      [['LTRIM', 'l', '1', '-2'], '+OK\r\n'],
      [['LRANGE', 'l', '0', '-1'], '*3\r\n$1\r\nB\r\n$1\r\nC\r\n$1\r\nb\r\n'],
      [['LTRIM', 'l', '0', '100'], '+OK\r\n'],
      [['LTRIM', 'l', '-100', '-1'], '+OK\r\n'],
      [['LTRIM', 'l', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      [['LTRIM', 'nokey', '0', '1'], '+OK\r\n'],
      [['LTRIM', 'nokey', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      [['LTRIM', 'l', '5', '1'], '+OK\r\n'],
      [['EXISTS', 'l'], ':0\r\n'],
      [['RPUSH', 'm', '1', '2', '3'], ':3\r\n'],
      [['LTRIM', 'm', '1', '0'], '+OK\r\n'],
      [['EXISTS', 'm'], ':0\r\n'],
      [['RPUSH', 'm', '1', '2', '3'], ':3\r\n'],
      [['LTRIM', 'm', '3', '10'], '+OK\r\n'],
      [['EXISTS', 'm'], ':0\r\n'],
      [['RPUSH', 'n', '1', '2', '3'], ':3\r\n'],
      [['LREM', 'n', '0', '1'], ':1\r\n'],
      [['LREM', 'n', '0', '2'], ':1\r\n'],
      [['LREM', 'n', '0', '3'], ':1\r\n'],
      [['EXISTS', 'n'], ':0\r\n'],
    ])
  })

  it('lpos', async () => {
    await expectReplies([
      [['RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'], ':8\r\n'],
      [['LPOS', 'l', 'c'], ':2\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '2'], ':6\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '-1'], ':7\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '-2'], ':6\r\n'],
      [['LPOS', 'l', 'c', 'COUNT', '0'], '*3\r\n:2\r\n:6\r\n:7\r\n'],
      [['LPOS', 'l', 'c', 'COUNT', '2'], '*2\r\n:2\r\n:6\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '-1', 'COUNT', '2'], '*2\r\n:7\r\n:6\r\n'],
      [['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3'], '*1\r\n:2\r\n'],
      [['LPOS', 'l', 'c', 'MAXLEN', '2'], '$-1\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '4'], '$-1\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '4', 'COUNT', '1'], '*0\r\n'],
      [['LPOS', 'l', 'zz'], '$-1\r\n'],
      [['LPOS', 'l', 'zz', 'COUNT', '2'], '*0\r\n'],
      [['LPOS', 'nokey', 'a'], '$-1\r\n'],
      [['LPOS', 'nokey', 'a', 'COUNT', '1'], '*0\r\n'],
      [
        ['LPOS', 'l', 'c', 'RANK', '0'],
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
      ],
      [['LPOS', 'l', 'c', 'RANK', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['LPOS', 'l', 'c', 'RANK', '-9223372036854775808'], ':7\r\n'],
      [['LPOS', 'l', 'c', 'COUNT', '-1'], "-ERR COUNT can't be negative\r\n"],
      [['LPOS', 'l', 'c', 'MAXLEN', '-1'], "-ERR MAXLEN can't be negative\r\n"],
      [['LPOS', 'l', 'c', 'COUNT', 'x'], "-ERR COUNT can't be negative\r\n"],
      [['LPOS', 'l', 'c', 'BOGUS', '1'], '-ERR syntax error\r\n'],
      [['LPOS', 'l', 'c', 'RANK'], '-ERR syntax error\r\n'],
      [
        ['LPOS', 'nokey', 'c', 'RANK', '0'],
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
      ],
      [['LPOS', 'l', 'c', 'rank', '1', 'count', '1', 'maxlen', '0'], '*1\r\n:2\r\n'],
    ])
  })

  it('moves', async () => {
    await expectReplies([
      [['RPUSH', 'a', '1', '2', '3'], ':3\r\n'],
      [['RPUSH', 'b', 'x'], ':1\r\n'],
      [['RPOPLPUSH', 'a', 'b'], '$1\r\n3\r\n'],
      [['LRANGE', 'b', '0', '-1'], '*2\r\n$1\r\n3\r\n$1\r\nx\r\n'],
      [['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'], '$1\r\n1\r\n'],
      [['LMOVE', 'a', 'b', 'left', 'left'], '$1\r\n2\r\n'],
      [['LRANGE', 'b', '0', '-1'], '*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n1\r\n'],
      [['EXISTS', 'a'], ':0\r\n'],
      [['RPOPLPUSH', 'nokey', 'b'], '$-1\r\n'],
      [['LMOVE', 'nokey', 'b', 'LEFT', 'LEFT'], '$-1\r\n'],
      [['RPUSH', 'c', '1', '2', '3'], ':3\r\n'],
      [['RPOPLPUSH', 'c', 'c'], '$1\r\n3\r\n'],
      [['LRANGE', 'c', '0', '-1'], '*3\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n'],
      [['LMOVE', 'c', 'c', 'LEFT', 'RIGHT'], '$1\r\n3\r\n'],
      [['LRANGE', 'c', '0', '-1'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['RPUSH', 'single', 'only'], ':1\r\n'],
      [['RPOPLPUSH', 'single', 'single'], '$4\r\nonly\r\n'],
      [['LRANGE', 'single', '0', '-1'], '*1\r\n$4\r\nonly\r\n'],
      [['SET', 'str', 'v'], '+OK\r\n'],
      [['RPOPLPUSH', 'c', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['RPOPLPUSH', 'str', 'c'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LMOVE', 'c', 'str', 'LEFT', 'LEFT'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LMOVE', 'c', 'b', 'UP', 'LEFT'], '-ERR syntax error\r\n'],
      [['LMOVE', 'c', 'b', 'LEFT', 'DOWN'], '-ERR syntax error\r\n'],
      [['LMOVE', 'nokey', 'b', 'UP', 'LEFT'], '-ERR syntax error\r\n'],
      [['RPOPLPUSH', 'nokey', 'str'], '$-1\r\n'],
      [['LRANGE', 'c', '0', '-1'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
    ])
  })

  it('lmpop', async () => {
    await expectReplies([
      [['RPUSH', 'a', '1', '2', '3'], ':3\r\n'],
      [['RPUSH', 'b', '4', '5'], ':2\r\n'],
      [['LMPOP', '2', 'nokey', 'a', 'LEFT'], '*2\r\n$1\r\na\r\n*1\r\n$1\r\n1\r\n'],
      [['LMPOP', '2', 'nokey', 'a', 'RIGHT', 'COUNT', '10'], '*2\r\n$1\r\na\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n'],
      [['LMPOP', '2', 'a', 'b', 'LEFT', 'COUNT', '1'], '*2\r\n$1\r\nb\r\n*1\r\n$1\r\n4\r\n'],
      [['LMPOP', '1', 'nokey', 'LEFT'], '*-1\r\n'],
      [['LMPOP', '0', 'a', 'LEFT'], '-ERR numkeys should be greater than 0\r\n'],
      [['LMPOP', '-1', 'a', 'LEFT'], '-ERR numkeys should be greater than 0\r\n'],
      [['LMPOP', 'x', 'a', 'LEFT'], '-ERR numkeys should be greater than 0\r\n'],
      [['LMPOP', '2', 'a', 'LEFT'], '-ERR syntax error\r\n'],
      [['LMPOP', '1', 'a', 'MIDDLE'], '-ERR syntax error\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'COUNT', '0'], '-ERR count should be greater than 0\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'COUNT', '-1'], '-ERR count should be greater than 0\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'COUNT', 'x'], '-ERR count should be greater than 0\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'COUNT', '1', 'COUNT', '1'], '-ERR syntax error\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'FOO'], '-ERR syntax error\r\n'],
      [['LMPOP', '1', 'b', 'LEFT', 'COUNT'], '-ERR syntax error\r\n'],
      [['LMPOP', '3', 'b', 'LEFT'], '-ERR syntax error\r\n'],
      [['SET', 'str', 'v'], '+OK\r\n'],
      [
        ['LMPOP', '2', 'nokey', 'str', 'LEFT'],
        '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
      ],
      [['LMPOP', '2', 'b', 'str', 'LEFT'], '*2\r\n$1\r\nb\r\n*1\r\n$1\r\n5\r\n'],
      [['LMPOP', '1', 'b', 'left', 'count', '5'], '*-1\r\n'],
      [['EXISTS', 'b'], ':0\r\n'],
    ])
  })

  it('wrongtype', async () => {
    await expectReplies([
      [['SET', 's', 'v'], '+OK\r\n'],
      [['LPUSH', 's', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['RPUSH', 's', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LPUSHX', 's', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['RPUSHX', 's', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LPOP', 's'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['RPOP', 's', '2'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LLEN', 's'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LRANGE', 's', '0', '1'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LRANGE', 's', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      [['LINDEX', 's', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LINDEX', 's', 'x'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LSET', 's', '0', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LINSERT', 's', 'BEFORE', 'a', 'b'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LINSERT', 's', 'MIDDLE', 'a', 'b'], '-ERR syntax error\r\n'],
      [['LREM', 's', '1', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LREM', 's', 'x', 'a'], '-ERR value is not an integer or out of range\r\n'],
      [['LTRIM', 's', '0', '1'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['LPOS', 's', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [
        ['LPOS', 's', 'a', 'RANK', '0'],
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
      ],
      [['BLPOP', 's', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['BRPOP', 'nokey', 's', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [
        ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'],
        '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
      ],
      [['BRPOPLPUSH', 's', 'd', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['BLMPOP', '0', '1', 's', 'LEFT'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    ])
  })

  it('blocking forms find data or error', async () => {
    await expectReplies([
      [['RPUSH', 'a', '1', '2', '3', '4', '5', '6'], ':6\r\n'],
      [['BLPOP', 'nokey', 'a', '0'], '*2\r\n$1\r\na\r\n$1\r\n1\r\n'],
      [['BRPOP', 'a', 'nokey', '1'], '*2\r\n$1\r\na\r\n$1\r\n6\r\n'],
      [['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0'], '$1\r\n2\r\n'],
      [
        ['BLMPOP', '0', '2', 'nokey', 'a', 'RIGHT', 'COUNT', '5'],
        '*2\r\n$1\r\na\r\n*3\r\n$1\r\n5\r\n$1\r\n4\r\n$1\r\n3\r\n',
      ],
      [['EXISTS', 'a'], ':0\r\n'],
      [['BLPOP', 'k', 'abc'], '-ERR timeout is not a float or out of range\r\n'],
      [['BLPOP', 'k', '-1'], '-ERR timeout is negative\r\n'],
      [['BLPOP', 'k', 'inf'], '-ERR timeout is negative\r\n'],
      [['BLPOP', 'k', 'nan'], '-ERR timeout is not a float or out of range\r\n'],
      [['BLPOP', 'k', '1e16'], '-ERR timeout is negative\r\n'],
      [['BLPOP', 'k', ''], '-ERR timeout is not a float or out of range\r\n'],
      [['BLMPOP', 'abc', '1', 'k', 'LEFT'], '-ERR timeout is not a float or out of range\r\n'],
      [['BLMPOP', '0', '0', 'k', 'LEFT'], '-ERR numkeys should be greater than 0\r\n'],
      [['BLMPOP', 'abc', '0', 'k', 'LEFT'], '-ERR numkeys should be greater than 0\r\n'],
      [['BLMPOP', '-1', '1', 'k', 'LEFT', 'COUNT', '0'], '-ERR count should be greater than 0\r\n'],
      [['BLMPOP', '0', '1', 'k', 'MIDDLE'], '-ERR syntax error\r\n'],
      [['BLMOVE', 'a', 'b', 'UP', 'LEFT', 'abc'], '-ERR syntax error\r\n'],
      [['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 'abc'], '-ERR timeout is not a float or out of range\r\n'],
      [['BRPOPLPUSH', 'a', 'b', 'abc'], '-ERR timeout is not a float or out of range\r\n'],
      [['BRPOPLPUSH', 'a', 'b', '-1'], '-ERR timeout is negative\r\n'],
    ])
  })

  it('blocking in multi', async () => {
    await expectReplies([
      [['MULTI'], '+OK\r\n'],
      [['BLPOP', 'nokey', '0'], '+QUEUED\r\n'],
      [['BRPOP', 'nokey', '1'], '+QUEUED\r\n'],
      [['BLMOVE', 'nokey', 'd', 'LEFT', 'LEFT', '0'], '+QUEUED\r\n'],
      [['BRPOPLPUSH', 'nokey', 'd', '0'], '+QUEUED\r\n'],
      [['BLMPOP', '0', '1', 'nokey', 'LEFT'], '+QUEUED\r\n'],
      [['BLPOP', 'nokey', 'abc'], '+QUEUED\r\n'],
      [['RPUSH', 'a', '1'], '+QUEUED\r\n'],
      [['BLPOP', 'a', '0'], '+QUEUED\r\n'],
      [
        ['EXEC'],
        '*8\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n-ERR timeout is not a float or out of range\r\n:1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
      ],
    ])
  })

  it('arity', async () => {
    await expectReplies([
      [['LPUSH', 'l'], "-ERR wrong number of arguments for 'lpush' command\r\n"],
      [['LPOP'], "-ERR wrong number of arguments for 'lpop' command\r\n"],
      [['LRANGE', 'l', '0'], "-ERR wrong number of arguments for 'lrange' command\r\n"],
      [['LINSERT', 'l', 'BEFORE', 'a'], "-ERR wrong number of arguments for 'linsert' command\r\n"],
      [['LPOS', 'l'], "-ERR wrong number of arguments for 'lpos' command\r\n"],
      [['RPOPLPUSH', 'a'], "-ERR wrong number of arguments for 'rpoplpush' command\r\n"],
      [['LMOVE', 'a', 'b', 'LEFT'], "-ERR wrong number of arguments for 'lmove' command\r\n"],
      [['LMPOP', '1', 'a'], "-ERR wrong number of arguments for 'lmpop' command\r\n"],
      [['BLPOP', 'l'], "-ERR wrong number of arguments for 'blpop' command\r\n"],
      [['BLMOVE', 'a', 'b', 'LEFT', 'LEFT'], "-ERR wrong number of arguments for 'blmove' command\r\n"],
      [['BLMPOP', '0', '1', 'a'], "-ERR wrong number of arguments for 'blmpop' command\r\n"],
    ])
  })
})
