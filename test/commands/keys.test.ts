/**
 * Generic key commands. The tables' expected replies are the bytes redis-server 7.0.15 sent for the same commands
 * (see keys-strings-fixtures.ts); time-dependent behaviour is in keys-expiry.test.ts.
 */
import { describe, it } from 'vitest'
import { expectReplies } from './keys-strings-fixtures.ts'

describe('keys', () => {
  describe('key commands against Redis 7.0.15 replies', () => {
    it('DEL and UNLINK count each deleted key once', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['set', 'b', '2'], '+OK\r\n'],
        [['del', 'a', 'a', 'missing'], ':1\r\n'],
        [['unlink', 'b', 'b', 'c'], ':1\r\n'],
        [['del', 'a'], ':0\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['del', 'l'], ':1\r\n'],
        [['exists', 'l'], ':0\r\n'],
      ])
    })
    it('EXISTS and TOUCH count repeated keys', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['exists', 'a', 'a', 'l', 'missing'], ':3\r\n'],
        [['touch', 'a', 'a', 'l', 'missing'], ':3\r\n'],
        [['exists', 'missing'], ':0\r\n'],
      ])
    })
    it('TYPE', async () => {
      await expectReplies([
        [['type', 'missing'], '+none\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['type', 'a'], '+string\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['type', 'l'], '+list\r\n'],
      ])
    })
    it('TTL, PTTL, EXPIRETIME, PEXPIRETIME on keys without expiry', async () => {
      await expectReplies([
        [['ttl', 'missing'], ':-2\r\n'],
        [['pttl', 'missing'], ':-2\r\n'],
        [['expiretime', 'missing'], ':-2\r\n'],
        [['pexpiretime', 'missing'], ':-2\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['ttl', 'a'], ':-1\r\n'],
        [['pttl', 'a'], ':-1\r\n'],
        [['expiretime', 'a'], ':-1\r\n'],
        [['pexpiretime', 'a'], ':-1\r\n'],
      ])
    })
    it('EXPIRE family: absolute times and rounding', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['pexpireat', 'a', '4102444800499'], ':1\r\n'],
        [['expiretime', 'a'], ':4102444800\r\n'],
        [['pexpiretime', 'a'], ':4102444800499\r\n'],
        [['pexpireat', 'a', '4102444800500'], ':1\r\n'],
        [['expiretime', 'a'], ':4102444801\r\n'],
        [['expireat', 'a', '4102444800'], ':1\r\n'],
        [['pexpiretime', 'a'], ':4102444800000\r\n'],
        [['pexpireat', 'a', '9223372036854775807'], ':1\r\n'],
        [['pexpiretime', 'a'], ':9223372036854775807\r\n'],
        [['expiretime', 'a'], ':9223372036854776\r\n'],
        [['pexpireat', 'a', '9007199254740993'], ':1\r\n'],
        [['pexpiretime', 'a'], ':9007199254740993\r\n'],
        [['expireat', 'a', '9223372036854775'], ':1\r\n'],
        [['pexpiretime', 'a'], ':9223372036854775000\r\n'],
      ])
    })
    it('EXPIRE family: options and their errors', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [
          ['expire', 'a', '100', 'NX', 'XX'],
          '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
        ],
        [
          ['expire', 'a', '100', 'NX', 'GT'],
          '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
        ],
        [
          ['expire', 'a', '100', 'LT', 'NX'],
          '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
        ],
        [['expire', 'a', '100', 'GT', 'LT'], '-ERR GT and LT options at the same time are not compatible\r\n'],
        [['expire', 'a', '100', 'XX', 'GT', 'LT'], '-ERR GT and LT options at the same time are not compatible\r\n'],
        [['expire', 'a', '100', 'FOO'], '-ERR Unsupported option FOO\r\n'],
        [['expire', 'a', '100', 'NX', 'FOO'], '-ERR Unsupported option FOO\r\n'],
        [['expire', 'a', 'abc', 'FOO'], '-ERR Unsupported option FOO\r\n'],
        [
          ['expire', 'a', 'abc', 'NX', 'XX'],
          '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
        ],
        [['expire', 'a', 'abc'], '-ERR value is not an integer or out of range\r\n'],
        [['expire', 'a', '100', 'bar\x00baz'], '-ERR Unsupported option bar\r\n'],
        [['expire', 'a', '100', 'nx\x00'], ':1\r\n'],
        [['ttl', 'a'], ':100\r\n'],
        [['pexpire', 'a', '1.5'], '-ERR value is not an integer or out of range\r\n'],
        [['expireat', 'a', ''], '-ERR value is not an integer or out of range\r\n'],
        [['expire', 'missing', '100', 'GT', 'LT'], '-ERR GT and LT options at the same time are not compatible\r\n'],
      ])
    })
    it('EXPIRE family: NX XX GT LT decisions', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '100', 'XX'], ':0\r\n'],
        [['expire', 'a', '100', 'GT'], ':0\r\n'],
        [['ttl', 'a'], ':-1\r\n'],
        [['expire', 'a', '100', 'LT'], ':1\r\n'],
        [['ttl', 'a'], ':100\r\n'],
        [['expire', 'a', '200', 'NX'], ':0\r\n'],
        [['expire', 'a', '50', 'GT'], ':0\r\n'],
        [['expire', 'a', '101', 'GT'], ':1\r\n'],
        [['expire', 'a', '200', 'GT'], ':1\r\n'],
        [['ttl', 'a'], ':200\r\n'],
        [['expire', 'a', '300', 'LT'], ':0\r\n'],
        [['expire', 'a', '200', 'LT'], ':0\r\n'],
        [['expire', 'a', '150', 'lt'], ':1\r\n'],
        [['ttl', 'a'], ':150\r\n'],
        [['expire', 'a', '120', 'XX', 'LT'], ':1\r\n'],
        [['ttl', 'a'], ':120\r\n'],
        [['expire', 'a', '500', 'XX', 'GT'], ':1\r\n'],
        [['ttl', 'a'], ':500\r\n'],
        [['expire', 'missing', '100'], ':0\r\n'],
        [['expire', 'missing', '100', 'NX'], ':0\r\n'],
      ])
    })
    it('EXPIRE family: times in the past delete the key', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '-1'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '0'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['pexpire', 'a', '0'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['expireat', 'a', '1'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['pexpireat', 'a', '-9223372036854775808'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '-5', 'GT'], ':0\r\n'],
        [['exists', 'a'], ':1\r\n'],
        [['expire', 'a', '-5', 'XX'], ':0\r\n'],
        [['exists', 'a'], ':1\r\n'],
        [['expire', 'a', '-5', 'LT'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '100'], ':1\r\n'],
        [['expire', 'a', '-5', 'LT'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['expire', 'l', '-1'], ':1\r\n'],
        [['exists', 'l'], ':0\r\n'],
      ])
    })
    it('EXPIRE family: int64 overflow', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '9223372036854775'], "-ERR invalid expire time in 'expire' command\r\n"],
        [['expire', 'a', '9223372036854776'], "-ERR invalid expire time in 'expire' command\r\n"],
        [['expire', 'a', '-9223372036854775'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['expire', 'a', '-9223372036854776'], "-ERR invalid expire time in 'expire' command\r\n"],
        [['expireat', 'a', '9223372036854776'], "-ERR invalid expire time in 'expireat' command\r\n"],
        [['expireat', 'a', '-9223372036854776'], "-ERR invalid expire time in 'expireat' command\r\n"],
        [['pexpire', 'a', '9223372036854775807'], "-ERR invalid expire time in 'pexpire' command\r\n"],
        [['pexpire', 'a', '-9223372036854775808'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['pexpireat', 'a', '9223372036854775807'], ':1\r\n'],
        [['pexpireat', 'a', '9223372036854775808'], '-ERR value is not an integer or out of range\r\n'],
        [['expire', 'missing', '9223372036854776'], "-ERR invalid expire time in 'expire' command\r\n"],
        [['expire', 'missing', 'x'], '-ERR value is not an integer or out of range\r\n'],
      ])
    })
    it('PERSIST', async () => {
      await expectReplies([
        [['persist', 'missing'], ':0\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['persist', 'a'], ':0\r\n'],
        [['expire', 'a', '100'], ':1\r\n'],
        [['persist', 'a'], ':1\r\n'],
        [['ttl', 'a'], ':-1\r\n'],
        [['persist', 'a'], ':0\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['expire', 'l', '100'], ':1\r\n'],
        [['persist', 'l'], ':1\r\n'],
        [['ttl', 'l'], ':-1\r\n'],
      ])
    })
    it('KEYS patterns', async () => {
      await expectReplies([
        [
          [
            'mset',
            'hello',
            '1',
            'hallo',
            '1',
            'hxllo',
            '1',
            'hllo',
            '1',
            'heeeello',
            '1',
            'h[llo',
            '1',
            'h*llo',
            '1',
            'bin\x00\xff',
            '1',
          ],
          '+OK\r\n',
        ],
        [['keys', 'nomatch'], '*0\r\n'],
        [['keys', 'h?llo'], '*5\r\n$5\r\nhallo\r\n$5\r\nh*llo\r\n$5\r\nh[llo\r\n$5\r\nhello\r\n$5\r\nhxllo\r\n'],
        [
          ['keys', 'h*llo'],
          '*7\r\n$5\r\nhallo\r\n$4\r\nhllo\r\n$8\r\nheeeello\r\n$5\r\nh*llo\r\n$5\r\nh[llo\r\n$5\r\nhello\r\n$5\r\nhxllo\r\n',
        ],
        [['keys', 'h[ae]llo'], '*2\r\n$5\r\nhallo\r\n$5\r\nhello\r\n'],
        [['keys', 'h[^e]llo'], '*4\r\n$5\r\nhallo\r\n$5\r\nh*llo\r\n$5\r\nh[llo\r\n$5\r\nhxllo\r\n'],
        [['keys', 'h[a-b]llo'], '*1\r\n$5\r\nhallo\r\n'],
        [['keys', 'h\\[llo'], '*1\r\n$5\r\nh[llo\r\n'],
        [['keys', 'h\\*llo'], '*1\r\n$5\r\nh*llo\r\n'],
        [['keys', 'h[\\[]llo'], '*1\r\n$5\r\nh[llo\r\n'],
        [['keys', 'bin\x00*'], '*1\r\n$5\r\nbin\x00\xff\r\n'],
        [['keys', 'bin?\xff'], '*1\r\n$5\r\nbin\x00\xff\r\n'],
        [['keys', '[z-a]allo'], '*1\r\n$5\r\nhallo\r\n'],
        [['keys', 'h[a'], '*0\r\n'],
        [['keys', '*\\'], '*0\r\n'],
      ])
    })
    it('SCAN options and errors', async () => {
      await expectReplies([
        [['mset', 'a1', '1', 'a2', '1', 'b1', '1'], '+OK\r\n'],
        [['lpush', 'l1', 'x'], ':1\r\n'],
        [['scan', '0', 'COUNT', '0'], '-ERR syntax error\r\n'],
        [['scan', '0', 'COUNT', '-1'], '-ERR syntax error\r\n'],
        [['scan', '0', 'COUNT', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['scan', '0', 'MATCH'], '-ERR syntax error\r\n'],
        [['scan', '0', 'COUNT'], '-ERR syntax error\r\n'],
        [['scan', '0', 'TYPE'], '-ERR syntax error\r\n'],
        [['scan', '0', 'FOO', 'bar'], '-ERR syntax error\r\n'],
        [['scan', '0', 'COUNT', 'x', 'FOO'], '-ERR value is not an integer or out of range\r\n'],
        [['scan', '0', 'FOO', 'x', 'COUNT', 'x'], '-ERR syntax error\r\n'],
        [['scan', 'x'], '-ERR invalid cursor\r\n'],
        [['scan', ' 0'], '-ERR invalid cursor\r\n'],
        [['scan', '0 '], '-ERR invalid cursor\r\n'],
        [['scan', '-'], '-ERR invalid cursor\r\n'],
        [['scan', '+'], '-ERR invalid cursor\r\n'],
        [['scan', '18446744073709551616'], '-ERR invalid cursor\r\n'],
        [['scan', '1.5'], '-ERR invalid cursor\r\n'],
        [['scan', '0', 'COUNT', '100', 'TYPE', 'list'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\nl1\r\n'],
        [['scan', '0', 'count', '100', 'type', 'LIST'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\nl1\r\n'],
        [['scan', '0', 'COUNT', '100', 'TYPE', 'hash'], '*2\r\n$1\r\n0\r\n*0\r\n'],
        [['scan', '0', 'COUNT', '100', 'TYPE', 'nonsense'], '*2\r\n$1\r\n0\r\n*0\r\n'],
        [['scan', '0', 'COUNT', '100', 'MATCH', 'b*'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\nb1\r\n'],
        [['scan', '0', 'MATCH', 'x', 'MATCH', 'a2', 'COUNT', '100'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\na2\r\n'],
        [['scan', '', 'MATCH', 'b1'], '*2\r\n$1\r\n0\r\n*1\r\n$2\r\nb1\r\n'],
      ])
    })
    it('RENAME and RENAMENX', async () => {
      await expectReplies([
        [['rename', 'missing', 'x'], '-ERR no such key\r\n'],
        [['renamenx', 'missing', 'x'], '-ERR no such key\r\n'],
        [['rename', 'missing', 'missing'], '-ERR no such key\r\n'],
        [['set', 'a', '1'], '+OK\r\n'],
        [['rename', 'a', 'a'], '+OK\r\n'],
        [['renamenx', 'a', 'a'], ':0\r\n'],
        [['rename', 'a', 'b'], '+OK\r\n'],
        [['get', 'b'], '$1\r\n1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['set', 'c', '3'], '+OK\r\n'],
        [['renamenx', 'b', 'c'], ':0\r\n'],
        [['renamenx', 'b', 'd'], ':1\r\n'],
        [['mget', 'b', 'd'], '*2\r\n$-1\r\n$1\r\n1\r\n'],
        [['expire', 'd', '100'], ':1\r\n'],
        [['rename', 'd', 'c'], '+OK\r\n'],
        [['ttl', 'c'], ':100\r\n'],
        [['set', 'e', '5', 'EX', '200'], '+OK\r\n'],
        [['rename', 'c', 'e'], '+OK\r\n'],
        [['ttl', 'e'], ':100\r\n'],
        [['get', 'e'], '$1\r\n1\r\n'],
        [['set', 'f', '1'], '+OK\r\n'],
        [['expire', 'f', '300'], ':1\r\n'],
        [['set', 'g', '1'], '+OK\r\n'],
        [['rename', 'g', 'f'], '+OK\r\n'],
        [['ttl', 'f'], ':-1\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['rename', 'l', 'm'], '+OK\r\n'],
        [['type', 'm'], '+list\r\n'],
      ])
    })
    it('COPY', async () => {
      await expectReplies([
        [['copy', 'a', 'a'], '-ERR source and destination objects are the same\r\n'],
        [['copy', 'a', 'a', 'DB', '0'], '-ERR source and destination objects are the same\r\n'],
        [['copy', 'missing', 'b'], ':0\r\n'],
        [['set', 'a', 'v', 'EX', '100'], '+OK\r\n'],
        [['copy', 'a', 'b'], ':1\r\n'],
        [['mget', 'a', 'b'], '*2\r\n$1\r\nv\r\n$1\r\nv\r\n'],
        [['ttl', 'b'], ':100\r\n'],
        [['copy', 'a', 'b'], ':0\r\n'],
        [['set', 'a', 'w'], '+OK\r\n'],
        [['copy', 'a', 'b', 'REPLACE'], ':1\r\n'],
        [['get', 'b'], '$1\r\nw\r\n'],
        [['ttl', 'b'], ':-1\r\n'],
        [['copy', 'a', 'a', 'DB', '1'], ':1\r\n'],
        [['select', '1'], '+OK\r\n'],
        [['get', 'a'], '$1\r\nw\r\n'],
        [['select', '0'], '+OK\r\n'],
        [['copy', 'a', 'b', 'DB'], '-ERR syntax error\r\n'],
        [['copy', 'a', 'b', 'DB', '16'], '-ERR DB index is out of range\r\n'],
        [['copy', 'a', 'b', 'DB', '-1'], '-ERR DB index is out of range\r\n'],
        [['copy', 'a', 'b', 'DB', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [
          ['copy', 'a', 'b', 'DB', '2147483648'],
          '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
        ],
        [['copy', 'a', 'b', 'FOO'], '-ERR syntax error\r\n'],
        [['copy', 'a', 'b', 'replace', 'REPLACE', 'db', '1', 'DB', '2'], ':1\r\n'],
        [['select', '2'], '+OK\r\n'],
        [['get', 'b'], '$1\r\nw\r\n'],
        [['select', '0'], '+OK\r\n'],
        [['copy', 'a', 'a', 'REPLACE'], '-ERR source and destination objects are the same\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['copy', 'l', 'l2'], ':1\r\n'],
        [['type', 'l2'], '+list\r\n'],
        [['copy', 'l', 'a'], ':0\r\n'],
        [['copy', 'l', 'a', 'REPLACE'], ':1\r\n'],
        [['type', 'a'], '+list\r\n'],
      ])
    })
    it('MOVE', async () => {
      await expectReplies([
        [['move', 'a', '1'], ':0\r\n'],
        [['set', 'a', 'v'], '+OK\r\n'],
        [['move', 'a', '0'], '-ERR source and destination objects are the same\r\n'],
        [['move', 'a', '16'], '-ERR DB index is out of range\r\n'],
        [['move', 'a', '-1'], '-ERR DB index is out of range\r\n'],
        [['move', 'a', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['move', 'a', '2147483648'], '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n'],
        [['move', 'a', '-2147483649'], '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n'],
        [['move', 'a', '9223372036854775808'], '-ERR value is not an integer or out of range\r\n'],
        [['expire', 'a', '100'], ':1\r\n'],
        [['move', 'a', '1'], ':1\r\n'],
        [['exists', 'a'], ':0\r\n'],
        [['select', '1'], '+OK\r\n'],
        [['get', 'a'], '$1\r\nv\r\n'],
        [['ttl', 'a'], ':100\r\n'],
        [['set', 'b', 'in db1'], '+OK\r\n'],
        [['select', '0'], '+OK\r\n'],
        [['set', 'b', 'in db0'], '+OK\r\n'],
        [['move', 'b', '1'], ':0\r\n'],
        [['get', 'b'], '$6\r\nin db0\r\n'],
        [['select', '1'], '+OK\r\n'],
        [['get', 'b'], '$6\r\nin db1\r\n'],
        [['move', 'missing', '0'], ':0\r\n'],
      ])
    })
    it('RANDOMKEY', async () => {
      await expectReplies([
        [['randomkey'], '$-1\r\n'],
        [['set', 'only', '1'], '+OK\r\n'],
        [['randomkey'], '$4\r\nonly\r\n'],
        [['del', 'only'], ':1\r\n'],
        [['randomkey'], '$-1\r\n'],
      ])
    })
  })
})
