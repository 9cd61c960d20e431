/**
 * set commands: expected replies recorded from redis-server 7.0.15 (see redis-cases.ts).
 */
import { describe, it } from 'vitest'
import { expectReplies } from './redis-cases.ts'

describe('set commands', () => {
  it('sadd srem basics', async () => {
    await expectReplies([
      [['SADD', 's', 'a', 'b', 'c', 'a'], ':3\r\n'],
      [['SADD', 's', 'c', 'd'], ':1\r\n'],
      [['SADD', 's', 'a'], ':0\r\n'],
      [['SCARD', 's'], ':4\r\n'],
      [['SCARD', 'nokey'], ':0\r\n'],
      [['SISMEMBER', 's', 'a'], ':1\r\n'],
      [['SISMEMBER', 's', 'z'], ':0\r\n'],
      [['SISMEMBER', 'nokey', 'a'], ':0\r\n'],
      [['SMISMEMBER', 's', 'a', 'z', 'b'], '*3\r\n:1\r\n:0\r\n:1\r\n'],
      [['SMISMEMBER', 'nokey', 'a', 'b'], '*2\r\n:0\r\n:0\r\n'],
      [['SMEMBERS', 's'], '*4\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n', 1],
      [['SMEMBERS', 'nokey'], '*0\r\n'],
      [['SREM', 's', 'a', 'z'], ':1\r\n'],
      [['SREM', 's', 'z'], ':0\r\n'],
      [['SREM', 'nokey', 'a'], ':0\r\n'],
      [['SREM', 's', 'b', 'c', 'd'], ':3\r\n'],
      [['EXISTS', 's'], ':0\r\n'],
    ])
  })

  it('intset order', async () => {
    await expectReplies([
      [['SADD', 'i', '5', '-3', '100', '0', '9223372036854775807', '-9223372036854775808', '42'], ':7\r\n'],
      [
        ['SMEMBERS', 'i'],
        '*7\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n0\r\n$1\r\n5\r\n$2\r\n42\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n',
      ],
      [
        ['SSCAN', 'i', '0', 'COUNT', '1'],
        '*2\r\n$1\r\n0\r\n*7\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n0\r\n$1\r\n5\r\n$2\r\n42\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n',
      ],
      [['SSCAN', 'i', '99', 'MATCH', '4*'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\n42\r\n'],
      [['SREM', 'i', '0', '42'], ':2\r\n'],
      [
        ['SMEMBERS', 'i'],
        '*5\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n5\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n',
      ],
      [['SADD', 'i', '7'], ':1\r\n'],
      [
        ['SMEMBERS', 'i'],
        '*6\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n5\r\n$1\r\n7\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n',
      ],
      [
        ['SRANDMEMBER', 'i', '100'],
        '*6\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n5\r\n$1\r\n7\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n',
      ],
      [['SADD', 'j', '3', '1', '2'], ':3\r\n'],
      [['SADD', 'k', '2', '4', '3'], ':3\r\n'],
      [['SUNION', 'j', 'k'], '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n'],
      [['SINTER', 'j', 'k'], '*2\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SDIFF', 'j', 'k'], '*1\r\n$1\r\n1\r\n'],
      [['SDIFF', 'k', 'j'], '*1\r\n$1\r\n4\r\n'],
      [['SUNIONSTORE', 'u', 'j', 'k'], ':4\r\n'],
      [['SMEMBERS', 'u'], '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n'],
      [['SPOP', 'j', '10'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['EXISTS', 'j'], ':0\r\n'],
      [['SADD', 'm', '10', '2', 'x'], ':3\r\n'],
      [['SREM', 'm', 'x'], ':1\r\n'],
      [['SPOP', 'm', '5'], '*2\r\n$1\r\n2\r\n$2\r\n10\r\n'],
      [['SADD', 'z', '9', '01', '1'], ':3\r\n'],
      [['SMEMBERS', 'z'], '*3\r\n$2\r\n01\r\n$1\r\n9\r\n$1\r\n1\r\n', 1],
      [['SADD', 'n', '3', '1'], ':2\r\n'],
      [['SADD', 'n', '9223372036854775808'], ':1\r\n'],
      [['SREM', 'n', '9223372036854775808'], ':1\r\n'],
      [['SMEMBERS', 'n'], '*2\r\n$1\r\n3\r\n$1\r\n1\r\n'],
    ])
  })

  it('wrongtype', async () => {
    await expectReplies([
      [['SET', 'str', 'x'], '+OK\r\n'],
      [['SADD', 'str', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SREM', 'str', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SCARD', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SISMEMBER', 'str', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SMISMEMBER', 'str', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SMEMBERS', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SPOP', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SPOP', 'str', '2'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SRANDMEMBER', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SRANDMEMBER', 'str', '2'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SMOVE', 'str', 'x', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SADD', 's', 'a'], ':1\r\n'],
      [['SMOVE', 's', 'str', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SMOVE', 'nokey', 'str', 'a'], ':0\r\n'],
      [['SINTER', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SINTER', 'nokey', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SINTER', 'str', 'nokey'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SINTERCARD', '2', 'nokey', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SINTERSTORE', 'd', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SUNION', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SUNIONSTORE', 'd', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SDIFF', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SDIFF', 'nokey', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SDIFFSTORE', 'd', 's', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SSCAN', 'str', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    ])
  })

  it('spop srandmember', async () => {
    await expectReplies([
      [['SPOP', 'nokey'], '$-1\r\n'],
      [['SPOP', 'nokey', '0'], '*0\r\n'],
      [['SPOP', 'nokey', '3'], '*0\r\n'],
      [['SPOP', 's', '-1'], '-ERR value is out of range, must be positive\r\n'],
      [['SPOP', 's', 'x'], '-ERR value is out of range, must be positive\r\n'],
      [['SPOP', 's', '1', '2'], '-ERR syntax error\r\n'],
      [['SRANDMEMBER', 'nokey'], '$-1\r\n'],
      [['SRANDMEMBER', 'nokey', '3'], '*0\r\n'],
      [['SRANDMEMBER', 'nokey', '-3'], '*0\r\n'],
      [['SRANDMEMBER', 's', '1', '2'], '-ERR syntax error\r\n'],
      [['SRANDMEMBER', 's', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [
        ['SRANDMEMBER', 's', '-9223372036854775808'],
        '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
      ],
      [['SADD', 's', 'a'], ':1\r\n'],
      [['SRANDMEMBER', 's'], '$1\r\na\r\n'],
      [['SRANDMEMBER', 's', '0'], '*0\r\n'],
      [['SRANDMEMBER', 's', '1'], '*1\r\n$1\r\na\r\n'],
      [['SRANDMEMBER', 's', '-3'], '*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n'],
      [['SRANDMEMBER', 's', '5'], '*1\r\n$1\r\na\r\n'],
      [['SPOP', 's', '0'], '*0\r\n'],
      [['SPOP', 's'], '$1\r\na\r\n'],
      [['EXISTS', 's'], ':0\r\n'],
      [['SADD', 's', 'a'], ':1\r\n'],
      [['SPOP', 's', '1'], '*1\r\n$1\r\na\r\n'],
      [['EXISTS', 's'], ':0\r\n'],
    ])
  })

  it('smove', async () => {
    await expectReplies([
      [['SADD', 'a', 'x', 'y'], ':2\r\n'],
      [['SADD', 'b', 'y', 'z'], ':2\r\n'],
      [['SMOVE', 'a', 'b', 'x'], ':1\r\n'],
      [['SMOVE', 'a', 'b', 'y'], ':1\r\n'],
      [['SMOVE', 'a', 'b', 'nope'], ':0\r\n'],
      [['SMOVE', 'a', 'a', 'y'], ':0\r\n'],
      [['SMOVE', 'a', 'a', 'nope'], ':0\r\n'],
      [['SMEMBERS', 'b'], '*3\r\n$1\r\nx\r\n$1\r\nz\r\n$1\r\ny\r\n', 1],
      [['SMOVE', 'a', 'c', 'y'], ':0\r\n'],
      [['EXISTS', 'a'], ':0\r\n'],
      [['SMEMBERS', 'c'], '*0\r\n'],
      [['SMOVE', 'nokey', 'b', 'x'], ':0\r\n'],
      [['SET', 'str', 'v'], '+OK\r\n'],
      [['SMOVE', 'b', 'str', 'z'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['SMOVE', 'nokey2', 'str', 'z'], ':0\r\n'],
    ])
  })

  it('set algebra', async () => {
    await expectReplies([
      [['SADD', 'a', '1', '2', '3', '4', 'x'], ':5\r\n'],
      [['SADD', 'b', '3', '4', '5', 'x'], ':4\r\n'],
      [['SADD', 'c', '4', 'x', 'y'], ':3\r\n'],
      [['SINTER', 'a', 'b', 'c'], '*2\r\n$1\r\nx\r\n$1\r\n4\r\n', 1],
      [['SINTER', 'a', 'b', 'nokey'], '*0\r\n'],
      [['SINTER', 'a', 'a'], '*5\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n4\r\n$1\r\n2\r\n', 1],
      [
        ['SUNION', 'a', 'b', 'c'],
        '*7\r\n$1\r\n5\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n4\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n',
        1,
      ],
      [['SUNION', 'nokey', 'a'], '*5\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n1\r\n$1\r\n2\r\n', 1],
      [['SUNION', 'nokey'], '*0\r\n'],
      [['SDIFF', 'a', 'b'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n', 1],
      [['SDIFF', 'a', 'a'], '*0\r\n'],
      [['SDIFF', 'a', 'nokey'], '*5\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n1\r\n$1\r\n2\r\n', 1],
      [['SDIFF', 'nokey', 'a'], '*0\r\n'],
      [['SDIFF', 'a', 'b', 'c'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n', 1],
      [['SINTERSTORE', 'd', 'a', 'b', 'c'], ':2\r\n'],
      [['SMEMBERS', 'd'], '*2\r\n$1\r\nx\r\n$1\r\n4\r\n', 1],
      [['SINTERSTORE', 'd', 'a', 'nokey'], ':0\r\n'],
      [['EXISTS', 'd'], ':0\r\n'],
      [['SET', 'd', 'str'], '+OK\r\n'],
      [['SUNIONSTORE', 'd', 'a', 'b'], ':6\r\n'],
      [['TYPE', 'd'], '+set\r\n'],
      [['SDIFFSTORE', 'd', 'a', 'a'], ':0\r\n'],
      [['EXISTS', 'd'], ':0\r\n'],
      [['SDIFFSTORE', 'd2', 'a', 'c'], ':3\r\n'],
      [['SMEMBERS', 'd2'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n', 1],
      [['SINTERSTORE', 'a', 'a', 'b'], ':3\r\n'],
      [['SMEMBERS', 'a'], '*3\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n4\r\n', 1],
    ])
  })

  it('sintercard', async () => {
    await expectReplies([
      [['SADD', 'a', '1', '2', '3', '4'], ':4\r\n'],
      [['SADD', 'b', '2', '3', '4', '5'], ':4\r\n'],
      [['SINTERCARD', '2', 'a', 'b'], ':3\r\n'],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT', '2'], ':2\r\n'],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT', '0'], ':3\r\n'],
      [['SINTERCARD', '2', 'a', 'b', 'limit', '10'], ':3\r\n'],
      [['SINTERCARD', '1', 'a'], ':4\r\n'],
      [['SINTERCARD', '2', 'a', 'nokey'], ':0\r\n'],
      [['SINTERCARD', '0', 'a'], '-ERR numkeys should be greater than 0\r\n'],
      [['SINTERCARD', '-1', 'a'], '-ERR numkeys should be greater than 0\r\n'],
      [['SINTERCARD', 'x', 'a'], '-ERR numkeys should be greater than 0\r\n'],
      [['SINTERCARD', '3', 'a', 'b'], "-ERR Number of keys can't be greater than number of args\r\n"],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT'], '-ERR syntax error\r\n'],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'], "-ERR LIMIT can't be negative\r\n"],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT', 'x'], "-ERR LIMIT can't be negative\r\n"],
      [['SINTERCARD', '2', 'a', 'b', 'FOO', '1'], '-ERR syntax error\r\n'],
      [['SINTERCARD', '1', 'a', 'b'], '-ERR syntax error\r\n'],
      [['SINTERCARD', '2', 'a', 'b', 'LIMIT', '1', 'LIMIT', '3'], ':3\r\n'],
    ])
  })

  it('sscan', async () => {
    await expectReplies([
      [['SADD', 's', 'a', 'b', 'c'], ':3\r\n'],
      [['SSCAN', 's', '0', 'MATCH', '[a]'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
      [['SSCAN', 's', '0', 'MATCH', 'a'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
      [['SSCAN', 's', '0', 'COUNT', '0'], '-ERR syntax error\r\n'],
      [['SSCAN', 's', 'x'], '-ERR invalid cursor\r\n'],
      [['SSCAN', 'nokey', '0', 'COUNT', '0'], '*2\r\n$1\r\n0\r\n*0\r\n'],
      [['SSCAN', 's', '0', 'TYPE', 'set'], '-ERR syntax error\r\n'],
      [['SSCAN', 's', '0', 'COUNT'], '-ERR syntax error\r\n'],
    ])
  })

  it('arity', async () => {
    await expectReplies([
      [['SADD', 's'], "-ERR wrong number of arguments for 'sadd' command\r\n"],
      [['SREM', 's'], "-ERR wrong number of arguments for 'srem' command\r\n"],
      [['SCARD'], "-ERR wrong number of arguments for 'scard' command\r\n"],
      [['SISMEMBER', 's'], "-ERR wrong number of arguments for 'sismember' command\r\n"],
      [['SMISMEMBER', 's'], "-ERR wrong number of arguments for 'smismember' command\r\n"],
      [['SMOVE', 'a', 'b'], "-ERR wrong number of arguments for 'smove' command\r\n"],
      [['SINTER'], "-ERR wrong number of arguments for 'sinter' command\r\n"],
      [['SINTERSTORE', 'd'], "-ERR wrong number of arguments for 'sinterstore' command\r\n"],
      [['SINTERCARD', '1'], "-ERR wrong number of arguments for 'sintercard' command\r\n"],
      [['SSCAN', 's'], "-ERR wrong number of arguments for 'sscan' command\r\n"],
      [['SPOP'], "-ERR wrong number of arguments for 'spop' command\r\n"],
    ])
  })
})
