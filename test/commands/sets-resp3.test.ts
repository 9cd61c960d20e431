/**
 * set replies in RESP3: expected replies recorded from redis-server 7.0.15 (see redis-cases.ts).
 */
import { describe, it } from 'vitest'
import { expectReplies } from './redis-cases.ts'

describe('set replies in RESP3', () => {
  it('resp3 set replies', async () => {
    await expectReplies([
      [['HELLO', '3'], null],
      [['SADD', 's', '1', '2', '3'], ':3\r\n'],
      [['SMEMBERS', 's'], '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SMEMBERS', 'nokey'], '~0\r\n'],
      [['SINTER', 's', 's'], '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SUNION', 's'], '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SDIFF', 's', 'nokey'], '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SRANDMEMBER', 's', '10'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SRANDMEMBER', 's', '0'], '*0\r\n'],
      [['SPOP', 'nokey', '1'], '~0\r\n'],
      [['SPOP', 's', '0'], '~0\r\n'],
      [['SSCAN', 's', '0'], '*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['SMISMEMBER', 's', '1', '7'], '*2\r\n:1\r\n:0\r\n'],
      [['SPOP', 'nokey'], '_\r\n'],
      [['SPOP', 's', '5'], '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n'],
    ])
  })
})
