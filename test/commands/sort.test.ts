// Generated from a command corpus run against redis-server 7.0.15: the expected bytes are Redis's own replies.
import { describe, it } from 'vitest'
import { replay } from './redis-transcript.ts'

describe('SORT and SORT_RO (transcripts from redis-server 7.0.15)', () => {
  it('numeric and ALPHA sorting of lists', async () => {
    await replay([
      [['zadd', 'tmp_l', '1', '3', '2', '1', '3', '2', '4', '10', '5', '-5', '6', '1.5'], ':6\r\n'],
      [['sort', 'tmp_l', 'by', 'nosuch', 'store', 'l'], ':6\r\n'],
      [['del', 'tmp_l'], ':1\r\n'],
      [['sort', 'l'], '*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n'],
      [['sort', 'l', 'desc'], '*6\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-5\r\n'],
      [['sort', 'l', 'alpha'], '*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['sort', 'l', 'alpha', 'desc'], '*6\r\n$1\r\n3\r\n$1\r\n2\r\n$2\r\n10\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-5\r\n'],
      [['sort', 'l', 'limit', '1', '2'], '*2\r\n$1\r\n1\r\n$3\r\n1.5\r\n'],
      [['sort', 'l', 'limit', '0', '0'], '*0\r\n'],
      [['sort', 'l', 'limit', '-5', '2'], '*2\r\n$2\r\n-5\r\n$1\r\n1\r\n'],
      [['sort', 'l', 'limit', '10', '2'], '*0\r\n'],
      [['sort', 'l', 'limit', '2', '-1'], '*4\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n'],
      [['sort', 'l', 'limit', '1', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['sort', 'l', 'limit', '1'], '-ERR syntax error\r\n'],
      [['sort', 'l', 'foo'], '-ERR syntax error\r\n'],
      [['sort', 'l', 'desc', 'asc'], '*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n'],
      [['zadd', 'tmp_bad', '1', 'a', '2', '1'], ':2\r\n'],
      [['sort', 'tmp_bad', 'by', 'nosuch', 'store', 'bad'], ':2\r\n'],
      [['del', 'tmp_bad'], ':1\r\n'],
      [['sort', 'bad'], "-ERR One or more scores can't be converted into double\r\n"],
      [['sort', 'bad', 'alpha'], '*2\r\n$1\r\n1\r\n$1\r\na\r\n'],
      [['sort_ro', 'l', 'desc', 'limit', '0', '3'], '*3\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n'],
      [['sort_ro', 'l', 'store', 'd'], '-ERR syntax error\r\n'],
      [['sort', 'nokey'], '*0\r\n'],
      [['sort', 'nokey', 'store', 'd'], ':0\r\n'],
      [['exists', 'd'], ':0\r\n'],
      [['set', 'str', 'v'], '+OK\r\n'],
      [['sort', 'str'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['sort', 'str', 'limit', 'x', 'y'], '-ERR value is not an integer or out of range\r\n'],
      [['zadd', 'tmp_sp', '1', ' 5', '2', '', '3', '3e0', '4', '0x10', '5', '-inf'], ':5\r\n'],
      [['sort', 'tmp_sp', 'by', 'nosuch', 'store', 'sp'], ':5\r\n'],
      [['del', 'tmp_sp'], ':1\r\n'],
      [['sort', 'sp'], '*5\r\n$4\r\n-inf\r\n$0\r\n\r\n$3\r\n3e0\r\n$2\r\n 5\r\n$4\r\n0x10\r\n'],
      [['zadd', 'tmp_nan', '1', 'nan'], ':1\r\n'],
      [['sort', 'tmp_nan', 'by', 'nosuch', 'store', 'nan'], ':1\r\n'],
      [['del', 'tmp_nan'], ':1\r\n'],
      [['sort', 'nan'], "-ERR One or more scores can't be converted into double\r\n"],
    ])
  })
  it('BY and GET patterns', async () => {
    await replay([
      [['zadd', 'tmp_ids', '1', '1', '2', '2', '3', '3', '4', '4'], ':4\r\n'],
      [['sort', 'tmp_ids', 'by', 'nosuch', 'store', 'ids'], ':4\r\n'],
      [['del', 'tmp_ids'], ':1\r\n'],
      [
        ['mset', 'w_1', '40', 'w_2', '10', 'w_3', '30', 'name_1', 'alice', 'name_2', 'bob', 'name_3', 'carol'],
        '+OK\r\n',
      ],
      [['hset', 'h_1', 'f', '3', 'name', 'ha'], ':2\r\n'],
      [['hset', 'h_2', 'f', '1', 'name', 'hb'], ':2\r\n'],
      [['hset', 'h_4', 'f', '2'], ':1\r\n'],
      [['sort', 'ids', 'by', 'w_*'], '*4\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'desc'], '*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n4\r\n'],
      [
        ['sort', 'ids', 'by', 'w_*', 'get', 'name_*', 'get', '#'],
        '*8\r\n$-1\r\n$1\r\n4\r\n$3\r\nbob\r\n$1\r\n2\r\n$5\r\ncarol\r\n$1\r\n3\r\n$5\r\nalice\r\n$1\r\n1\r\n',
      ],
      [
        ['sort', 'ids', 'by', 'w_*', 'get', '#', 'get', 'name_*'],
        '*8\r\n$1\r\n4\r\n$-1\r\n$1\r\n2\r\n$3\r\nbob\r\n$1\r\n3\r\n$5\r\ncarol\r\n$1\r\n1\r\n$5\r\nalice\r\n',
      ],
      [
        ['sort', 'ids', 'by', 'h_*->f', 'get', 'h_*->name', 'get', '#'],
        '*8\r\n$-1\r\n$1\r\n3\r\n$2\r\nhb\r\n$1\r\n2\r\n$-1\r\n$1\r\n4\r\n$2\r\nha\r\n$1\r\n1\r\n',
      ],
      [['sort', 'ids', 'by', 'h_*->f', 'alpha'], '*4\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n4\r\n$1\r\n1\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'alpha'], '*4\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'alpha', 'desc'], '*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n4\r\n'],
      [['sort', 'ids', 'by', 'nosuch'], '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n'],
      [['sort', 'ids', 'by', 'nosuch', 'desc'], '*4\r\n$1\r\n4\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n'],
      [['sort', 'ids', 'by', 'nosuch', 'limit', '1', '2'], '*2\r\n$1\r\n2\r\n$1\r\n3\r\n'],
      [['sort', 'ids', 'by', 'nosuch', 'desc', 'limit', '1', '2'], '*2\r\n$1\r\n3\r\n$1\r\n2\r\n'],
      [['sort', 'ids', 'by', 'nosuch', 'get', '#'], '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n'],
      [['sort', 'ids', 'get', 'name_*'], '*4\r\n$5\r\nalice\r\n$3\r\nbob\r\n$5\r\ncarol\r\n$-1\r\n'],
      [['sort', 'ids', 'get', 'nostar'], '*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n'],
      [['sort', 'ids', 'get', 'h_*->'], '*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n'],
      [['sort', 'ids', 'by', 'h_*->'], '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n'],
      [['sort', 'ids', 'get', 'h_*->missing'], '*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'limit', '1', '2', 'get', 'name_*'], '*2\r\n$3\r\nbob\r\n$5\r\ncarol\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'store', 'dst'], ':4\r\n'],
      [['sort', 'dst', 'by', 'nosuch'], '*4\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'get', 'name_*', 'store', 'dst'], ':4\r\n'],
      [['sort', 'dst', 'by', 'nosuch'], '*4\r\n$0\r\n\r\n$3\r\nbob\r\n$5\r\ncarol\r\n$5\r\nalice\r\n'],
      [['type', 'dst'], '+list\r\n'],
      [['sort', 'ids', 'by', 'w_*', 'limit', '5', '5', 'store', 'dst'], ':0\r\n'],
      [['exists', 'dst'], ':0\r\n'],
      [['hset', 'w_x', 'a', 'b'], ':1\r\n'],
      [['zadd', 'tmp_ids2', '1', 'x', '2', '1'], ':2\r\n'],
      [['sort', 'tmp_ids2', 'by', 'nosuch', 'store', 'ids2'], ':2\r\n'],
      [['del', 'tmp_ids2'], ':1\r\n'],
      [['sort', 'ids2', 'by', 'w_*'], '*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
    ])
  })
  it('sorted sets', async () => {
    await replay([
      [['zadd', 'z', '3', 'a', '1', 'b', '2', 'c'], ':3\r\n'],
      [['sort', 'z', 'alpha'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
      [['sort', 'z', 'by', 'nosuch'], '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n'],
      [['sort', 'z', 'by', 'nosuch', 'desc'], '*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n'],
      [['sort', 'z', 'by', 'nosuch', 'limit', '1', '1'], '*1\r\n$1\r\nc\r\n'],
      [['sort', 'z', 'by', 'nosuch', 'desc', 'limit', '1', '5'], '*2\r\n$1\r\nc\r\n$1\r\nb\r\n'],
      [['zadd', 'zn', '1', '10', '2', '9', '3', '8'], ':3\r\n'],
      [['sort', 'zn'], '*3\r\n$1\r\n8\r\n$1\r\n9\r\n$2\r\n10\r\n'],
      [['sort', 'zn', 'by', 'nosuch', 'get', '#'], '*3\r\n$2\r\n10\r\n$1\r\n9\r\n$1\r\n8\r\n'],
      [['sort', 'zn', 'limit', '1', '1', 'desc'], '*1\r\n$1\r\n9\r\n'],
    ])
  })
  it('sets', async () => {
    await replay([
      [['sadd', 's', '5', '3', '9', '1'], ':4\r\n'],
      [['sort', 's'], '*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n'],
      [['sort', 's', 'desc', 'limit', '1', '2'], '*2\r\n$1\r\n5\r\n$1\r\n3\r\n'],
      [['sort', 's', 'by', 'nosuch'], '*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n'],
      [['sort', 's', 'by', 'nosuch', 'store', 'd'], ':4\r\n'],
      [['sort', 'd', 'by', 'nosuch'], '*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n'],
      [['sadd', 's2', 'b', 'a', 'c'], ':3\r\n'],
      [['sort', 's2', 'alpha'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
      [['sort', 's2', 'alpha', 'desc', 'limit', '0', '2'], '*2\r\n$1\r\nc\r\n$1\r\nb\r\n'],
      [['sort', 's2', 'by', 'nosuch', 'store', 'd'], ':3\r\n'],
      [['sort', 'd', 'by', 'nosuch'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
      [['mset', 'w_a', '3', 'w_b', '1', 'w_c', '2'], '+OK\r\n'],
      [['sort', 's2', 'by', 'w_*'], '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n'],
      [
        ['sort', 's2', 'by', 'w_*', 'get', 'w_*', 'get', '#'],
        '*6\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n',
      ],
    ])
  })
  it('a BY value out of double range', async () => {
    await replay([
      [['zadd', 'tmp', '1', '1', '2', '2'], ':2\r\n'],
      [['sort', 'tmp', 'by', 'nosuch', 'store', 'l'], ':2\r\n'],
      [['set', 'w_1', '1e400'], '+OK\r\n'],
      [['sort', 'l', 'by', 'w_*'], "-ERR One or more scores can't be converted into double\r\n"],
      [['zadd', 'errno_reset', '1', 'a'], ':1\r\n'],
    ])
  })
})
