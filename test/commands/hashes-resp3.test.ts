/**
 * hash replies in RESP3: expected replies recorded from redis-server 7.0.15 (see redis-cases.ts).
 */
import { describe, it } from 'vitest'
import { expectReplies } from './redis-cases.ts'

describe('hash replies in RESP3', () => {
  it('resp3 hash replies', async () => {
    await expectReplies([
      [['HELLO', '3'], null],
      [['HSET', 'h', 'a', '1', 'b', '2'], ':2\r\n'],
      [['HGETALL', 'h'], '%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n'],
      [['HGETALL', 'nokey'], '%0\r\n'],
      [['HKEYS', 'h'], '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
      [['HRANDFIELD', 'h', '2', 'WITHVALUES'], '*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n'],
      [['HRANDFIELD', 'nokey', '1'], '*0\r\n'],
      [['HGET', 'h', 'zz'], '_\r\n'],
      [['HMGET', 'h', 'a', 'zz'], '*2\r\n$1\r\n1\r\n_\r\n'],
      [['HSCAN', 'h', '0'], '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n'],
    ])
  })
})
