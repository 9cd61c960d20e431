/**
 * String commands. The tables' expected replies are the bytes redis-server 7.0.15 sent for the same commands (see
 * keys-strings-fixtures.ts); time-dependent behaviour uses the manual clock.
 */
import { describe, it } from 'vitest'
import { expectReplies } from './keys-strings-fixtures.ts'

describe('strings', () => {
  describe('string commands against Redis 7.0.15 replies', () => {
    it('GET and SET basics, binary-safe values', async () => {
      await expectReplies([
        [['get', 'k'], '$-1\r\n'],
        [['set', 'k', 'v'], '+OK\r\n'],
        [['get', 'k'], '$1\r\nv\r\n'],
        [['set', 'k', ''], '+OK\r\n'],
        [['get', 'k'], '$0\r\n\r\n'],
        [['set', 'b\x00in', '\x00\xff\r\n'], '+OK\r\n'],
        [['get', 'b\x00in'], '$4\r\n\x00\xff\r\n\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['get', 'l'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['set', 'l', 'now a string'], '+OK\r\n'],
        [['get', 'l'], '$12\r\nnow a string\r\n'],
      ])
    })
    it('SET NX and XX', async () => {
      await expectReplies([
        [['set', 'k', 'v', 'XX'], '$-1\r\n'],
        [['get', 'k'], '$-1\r\n'],
        [['set', 'k', 'v', 'NX'], '+OK\r\n'],
        [['set', 'k', 'w', 'NX'], '$-1\r\n'],
        [['get', 'k'], '$1\r\nv\r\n'],
        [['set', 'k', 'w', 'xx'], '+OK\r\n'],
        [['get', 'k'], '$1\r\nw\r\n'],
        [['set', 'k', 'v', 'NX', 'NX'], '$-1\r\n'],
        [['set', 'k', 'v', 'XX', 'XX'], '+OK\r\n'],
        [['set', 'k', 'v', 'NX', 'XX'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'XX', 'NX'], '-ERR syntax error\r\n'],
      ])
    })
    it('SET GET returns the old value, with NX and XX', async () => {
      await expectReplies([
        [['set', 'k', '1', 'GET'], '$-1\r\n'],
        [['set', 'k', '2', 'GET'], '$1\r\n1\r\n'],
        [['get', 'k'], '$1\r\n2\r\n'],
        [['set', 'k', '3', 'NX', 'GET'], '$1\r\n2\r\n'],
        [['get', 'k'], '$1\r\n2\r\n'],
        [['set', 'm', '3', 'XX', 'GET'], '$-1\r\n'],
        [['exists', 'm'], ':0\r\n'],
        [['set', 'n', '3', 'NX', 'GET'], '$-1\r\n'],
        [['get', 'n'], '$1\r\n3\r\n'],
        [['set', 'k', '4', 'GET', 'GET'], '$1\r\n2\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['set', 'l', 'x', 'GET'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['type', 'l'], '+list\r\n'],
        [['set', 'l', 'x', 'NX', 'GET'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      ])
    })
    it('SET expire options and their conflicts', async () => {
      await expectReplies([
        [['set', 'k', 'v', 'EX', '100'], '+OK\r\n'],
        [['ttl', 'k'], ':100\r\n'],
        [['set', 'k', 'v', 'PX', '100000'], '+OK\r\n'],
        [['ttl', 'k'], ':100\r\n'],
        [['set', 'k', 'v', 'EX', '10', 'EX', '20'], '+OK\r\n'],
        [['ttl', 'k'], ':20\r\n'],
        [['set', 'k', 'v', 'KEEPTTL'], '+OK\r\n'],
        [['ttl', 'k'], ':20\r\n'],
        [['set', 'k', 'v'], '+OK\r\n'],
        [['ttl', 'k'], ':-1\r\n'],
        [['set', 'k', 'v', 'EX', '10', 'PX', '10'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'EX', '10', 'KEEPTTL'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'KEEPTTL', 'EX', '10'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'EXAT', '10', 'PXAT', '10'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'PXAT', '10', 'EX', '10'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'EX'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'PERSIST'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'FOO'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'EX', 'abc'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'k', 'v', 'FOO', 'EX', 'abc'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'EX', 'abc', 'FOO'], '-ERR syntax error\r\n'],
        [['set', 'k', 'v', 'ex', '5', 'nx'], '$-1\r\n'],
        [['set', 'k', 'v', 'KEEPTTL', 'KEEPTTL', 'XX'], '+OK\r\n'],
      ])
    })
    it('SET invalid expire times', async () => {
      await expectReplies([
        [['set', 'k', 'v', 'EX', '0'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EX', '-1'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'PX', '0'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EXAT', '0'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'PXAT', '-5'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EX', '9223372036854775807'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EX', '9223372036854776'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EX', '9223372036854775'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'PX', '9223372036854775807'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'EXAT', '9223372036854775'], '+OK\r\n'],
        [['set', 'k', 'v', 'EXAT', '9223372036854776'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'PXAT', '9223372036854775807'], '+OK\r\n'],
        [['set', 'k', 'v', 'EX', '9223372036854775808'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'k', 'v', 'EX', '1.5'], '-ERR value is not an integer or out of range\r\n'],
        [['exists', 'k'], ':1\r\n'],
        [['set', 'k', 'v', 'NX', 'EX', '0'], "-ERR invalid expire time in 'set' command\r\n"],
        [['set', 'k', 'v', 'GET', 'EX', '0'], "-ERR invalid expire time in 'set' command\r\n"],
      ])
    })
    it('SET options are read as C strings (stop at NUL)', async () => {
      await expectReplies([
        [['set', 'k', 'v', 'nx\x00junk'], '+OK\r\n'],
        [['set', 'k', 'w', 'nx\x00'], '$-1\r\n'],
        [['set', 'k', 'w', 'keepttl\x00x'], '+OK\r\n'],
        [['set', 'k', 'w', 'ex\x00', '100'], '+OK\r\n'],
        [['ttl', 'k'], ':100\r\n'],
        [['set', 'k', 'w', 'n'], '-ERR syntax error\r\n'],
      ])
    })
    it('SET with a past EXAT or PXAT stores a key that is already expired', async () => {
      await expectReplies([
        [['set', 'k', 'v', 'EXAT', '1'], '+OK\r\n'],
        [['get', 'k'], '$-1\r\n'],
        [['exists', 'k'], ':0\r\n'],
        [['set', 'k', 'v', 'PXAT', '1000'], '+OK\r\n'],
        [['ttl', 'k'], ':-2\r\n'],
      ])
    })
    it('SETNX', async () => {
      await expectReplies([
        [['setnx', 'k', 'a'], ':1\r\n'],
        [['setnx', 'k', 'b'], ':0\r\n'],
        [['get', 'k'], '$1\r\na\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['setnx', 'l', 'b'], ':0\r\n'],
      ])
    })
    it('SETEX and PSETEX', async () => {
      await expectReplies([
        [['setex', 'k', '100', 'v'], '+OK\r\n'],
        [['ttl', 'k'], ':100\r\n'],
        [['get', 'k'], '$1\r\nv\r\n'],
        [['psetex', 'p', '100000', 'v'], '+OK\r\n'],
        [['ttl', 'p'], ':100\r\n'],
        [['setex', 'k', '0', 'v'], "-ERR invalid expire time in 'setex' command\r\n"],
        [['setex', 'k', '-10', 'v'], "-ERR invalid expire time in 'setex' command\r\n"],
        [['psetex', 'k', '0', 'v'], "-ERR invalid expire time in 'psetex' command\r\n"],
        [['setex', 'k', 'x', 'v'], '-ERR value is not an integer or out of range\r\n'],
        [['setex', 'k', '9223372036854775', 'v'], "-ERR invalid expire time in 'setex' command\r\n"],
        [['psetex', 'k', '9223372036854775807', 'v'], "-ERR invalid expire time in 'psetex' command\r\n"],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['setex', 'l', '10', 'v'], '+OK\r\n'],
        [['type', 'l'], '+string\r\n'],
        [['get', 'k'], '$1\r\nv\r\n'],
      ])
    })
    it('MGET', async () => {
      await expectReplies([
        [['set', 'a', '1'], '+OK\r\n'],
        [['set', 'c', '3'], '+OK\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['mget', 'a', 'b', 'c', 'l', 'a'], '*5\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$1\r\n1\r\n'],
      ])
    })
    it('MSET and MSETNX', async () => {
      await expectReplies([
        [['mset', 'a', '1', 'b', '2'], '+OK\r\n'],
        [['mget', 'a', 'b'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n'],
        [['mset', 'a', '1', 'b'], "-ERR wrong number of arguments for 'mset' command\r\n"],
        [['msetnx', 'a', '1', 'b'], "-ERR wrong number of arguments for 'msetnx' command\r\n"],
        [['mset', 'a'], "-ERR wrong number of arguments for 'mset' command\r\n"],
        [['msetnx', 'x', '1', 'a', '9'], ':0\r\n'],
        [['get', 'x'], '$-1\r\n'],
        [['msetnx', 'x', '1', 'y', '2'], ':1\r\n'],
        [['mget', 'x', 'y'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n'],
        [['msetnx', 'z', '1', 'z', '2'], ':1\r\n'],
        [['get', 'z'], '$1\r\n2\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['mset', 'l', 'str'], '+OK\r\n'],
        [['type', 'l'], '+string\r\n'],
        [['msetnx', 'l', 'q', 'w', 'e'], ':0\r\n'],
        [['exists', 'w'], ':0\r\n'],
      ])
    })
    it('GETSET', async () => {
      await expectReplies([
        [['getset', 'k', 'a'], '$-1\r\n'],
        [['getset', 'k', 'b'], '$1\r\na\r\n'],
        [['get', 'k'], '$1\r\nb\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['getset', 'l', 'x'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['type', 'l'], '+list\r\n'],
      ])
    })
    it('GETDEL', async () => {
      await expectReplies([
        [['getdel', 'k'], '$-1\r\n'],
        [['set', 'k', 'v'], '+OK\r\n'],
        [['getdel', 'k'], '$1\r\nv\r\n'],
        [['exists', 'k'], ':0\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['getdel', 'l'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['exists', 'l'], ':1\r\n'],
      ])
    })
    it('GETEX options', async () => {
      await expectReplies([
        [['set', 'k', 'v'], '+OK\r\n'],
        [['getex', 'k'], '$1\r\nv\r\n'],
        [['ttl', 'k'], ':-1\r\n'],
        [['getex', 'k', 'EX', '100'], '$1\r\nv\r\n'],
        [['ttl', 'k'], ':100\r\n'],
        [['getex', 'k', 'PX', '200000'], '$1\r\nv\r\n'],
        [['ttl', 'k'], ':200\r\n'],
        [['getex', 'k', 'PERSIST'], '$1\r\nv\r\n'],
        [['ttl', 'k'], ':-1\r\n'],
        [['getex', 'k', 'EXAT', '4102444800'], '$1\r\nv\r\n'],
        [['expiretime', 'k'], ':4102444800\r\n'],
        [['getex', 'k', 'PXAT', '4102444800123'], '$1\r\nv\r\n'],
        [['pexpiretime', 'k'], ':4102444800123\r\n'],
        [['getex', 'k', 'persist'], '$1\r\nv\r\n'],
        [['ttl', 'k'], ':-1\r\n'],
      ])
    })
    it('GETEX errors and their order', async () => {
      await expectReplies([
        [['set', 'k', 'v'], '+OK\r\n'],
        [['getex', 'k', 'NX'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'KEEPTTL'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'GET'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'EX'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'EX', '10', 'PERSIST'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'PERSIST', 'EX', '10'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'EX', '10', 'PX', '10'], '-ERR syntax error\r\n'],
        [['getex', 'k', 'EX', '0'], "-ERR invalid expire time in 'getex' command\r\n"],
        [['getex', 'k', 'EX', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['getex', 'k', 'EXAT', '9223372036854776'], "-ERR invalid expire time in 'getex' command\r\n"],
        [['getex', 'missing', 'EX', '0'], '$-1\r\n'],
        [['getex', 'missing', 'EX', 'x'], '$-1\r\n'],
        [['getex', 'missing', 'FOO'], '-ERR syntax error\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['getex', 'l'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['getex', 'l', 'EX', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['getex', 'l', 'FOO'], '-ERR syntax error\r\n'],
      ])
    })
    it('GETEX with a past EXAT or PXAT deletes the key', async () => {
      await expectReplies([
        [['set', 'k', 'v'], '+OK\r\n'],
        [['getex', 'k', 'EXAT', '1'], '$1\r\nv\r\n'],
        [['exists', 'k'], ':0\r\n'],
        [['set', 'k', 'v'], '+OK\r\n'],
        [['getex', 'k', 'PXAT', '1'], '$1\r\nv\r\n'],
        [['exists', 'k'], ':0\r\n'],
      ])
    })
    it('APPEND and STRLEN', async () => {
      await expectReplies([
        [['strlen', 'k'], ':0\r\n'],
        [['append', 'k', 'Hello'], ':5\r\n'],
        [['append', 'k', ' World'], ':11\r\n'],
        [['get', 'k'], '$11\r\nHello World\r\n'],
        [['strlen', 'k'], ':11\r\n'],
        [['append', 'k', ''], ':11\r\n'],
        [['get', 'k'], '$11\r\nHello World\r\n'],
        [['append', 'e', ''], ':0\r\n'],
        [['exists', 'e'], ':1\r\n'],
        [['strlen', 'e'], ':0\r\n'],
        [['append', 'b', '\x00\x01'], ':2\r\n'],
        [['append', 'b', '\xff'], ':3\r\n'],
        [['get', 'b'], '$3\r\n\x00\x01\xff\r\n'],
        [['strlen', 'b'], ':3\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['append', 'l', 'x'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['strlen', 'l'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      ])
    })
    it('GETRANGE and SUBSTR', async () => {
      await expectReplies([
        [['set', 's', 'This is a string'], '+OK\r\n'],
        [['getrange', 's', '0', '3'], '$4\r\nThis\r\n'],
        [['getrange', 's', '-3', '-1'], '$3\r\ning\r\n'],
        [['getrange', 's', '0', '-1'], '$16\r\nThis is a string\r\n'],
        [['getrange', 's', '10', '100'], '$6\r\nstring\r\n'],
        [['getrange', 's', '5', '2'], '$0\r\n\r\n'],
        [['getrange', 's', '-1', '-5'], '$0\r\n\r\n'],
        [['getrange', 's', '-100', '2'], '$3\r\nThi\r\n'],
        [['getrange', 's', '-100', '-90'], '$1\r\nT\r\n'],
        [['getrange', 's', '16', '20'], '$0\r\n\r\n'],
        [['getrange', 's', '15', '15'], '$1\r\ng\r\n'],
        [['getrange', 's', '-9223372036854775807', '-9223372036854775808'], '$0\r\n\r\n'],
        [['getrange', 's', '-9223372036854775808', '9223372036854775807'], '$16\r\nThis is a string\r\n'],
        [['substr', 's', '0', '3'], '$4\r\nThis\r\n'],
        [['getrange', 'missing', '0', '-1'], '$0\r\n\r\n'],
        [['getrange', 's', 'a', '1'], '-ERR value is not an integer or out of range\r\n'],
        [['getrange', 's', '1', '1.5'], '-ERR value is not an integer or out of range\r\n'],
        [['getrange', 'missing', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'e', ''], '+OK\r\n'],
        [['getrange', 'e', '0', '-1'], '$0\r\n\r\n'],
        [['getrange', 'e', '-1', '0'], '$0\r\n\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['getrange', 'l', '0', '1'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['getrange', 'l', 'x', '1'], '-ERR value is not an integer or out of range\r\n'],
      ])
    })
    it('SETRANGE', async () => {
      await expectReplies([
        [['set', 'k', 'Hello World'], '+OK\r\n'],
        [['setrange', 'k', '6', 'Redis'], ':11\r\n'],
        [['get', 'k'], '$11\r\nHello Redis\r\n'],
        [['setrange', 'k', '0', 'J'], ':11\r\n'],
        [['get', 'k'], '$11\r\nJello Redis\r\n'],
        [['setrange', 'k', '11', '!'], ':12\r\n'],
        [['get', 'k'], '$12\r\nJello Redis!\r\n'],
        [['setrange', 'k', '15', '?'], ':16\r\n'],
        [['get', 'k'], '$16\r\nJello Redis!\x00\x00\x00?\r\n'],
        [['setrange', 'k', '3', ''], ':16\r\n'],
        [['setrange', 'k', '100', ''], ':16\r\n'],
        [['strlen', 'k'], ':16\r\n'],
        [['setrange', 'n', '3', 'ab'], ':5\r\n'],
        [['get', 'n'], '$5\r\n\x00\x00\x00ab\r\n'],
        [['setrange', 'z', '5', ''], ':0\r\n'],
        [['exists', 'z'], ':0\r\n'],
        [['setrange', 'k', '-1', 'x'], '-ERR offset is out of range\r\n'],
        [['setrange', 'k', 'x', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['setrange', 'k', '9223372036854775808', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['setrange', 'missing', '-1', ''], '-ERR offset is out of range\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['setrange', 'l', '0', 'x'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['setrange', 'l', '0', ''], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['setrange', 'l', '-1', 'x'], '-ERR offset is out of range\r\n'],
      ])
    })
    it('SETRANGE and APPEND respect proto-max-bulk-len', async () => {
      await expectReplies([
        [['set', 'k', 'ab'], '+OK\r\n'],
        [['setrange', 'k', '536870911', 'xy'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n'],
        [['setrange', 'k', '536870912', 'x'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n'],
        [
          ['setrange', 'k', '9223372036854775807', 'x'],
          '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
        ],
        [['setrange', 'new', '536870912', 'x'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n'],
        [['setrange', 'new', '9223372036854775807', ''], ':0\r\n'],
        [['exists', 'new'], ':0\r\n'],
        [['setrange', 'k', '536870911', ''], ':2\r\n'],
        [['get', 'k'], '$2\r\nab\r\n'],
      ])
    })
    it('INCR DECR INCRBY DECRBY', async () => {
      await expectReplies([
        [['incr', 'n'], ':1\r\n'],
        [['incr', 'n'], ':2\r\n'],
        [['decr', 'n'], ':1\r\n'],
        [['decr', 'm'], ':-1\r\n'],
        [['incrby', 'n', '10'], ':11\r\n'],
        [['incrby', 'n', '-20'], ':-9\r\n'],
        [['decrby', 'n', '5'], ':-14\r\n'],
        [['decrby', 'n', '-5'], ':-9\r\n'],
        [['get', 'n'], '$2\r\n-9\r\n'],
        [['incrby', 'n', '0'], ':-9\r\n'],
        [['set', 'big', '9007199254740993'], '+OK\r\n'],
        [['incr', 'big'], ':9007199254740994\r\n'],
        [['get', 'big'], '$16\r\n9007199254740994\r\n'],
        [['set', 'neg', '-9007199254740993'], '+OK\r\n'],
        [['decr', 'neg'], ':-9007199254740994\r\n'],
        [['incrby', 'x', '9223372036854775807'], ':9223372036854775807\r\n'],
        [['incrby', 'y', '-9223372036854775808'], ':-9223372036854775808\r\n'],
        [['decrby', 'y', '1'], '-ERR increment or decrement would overflow\r\n'],
      ])
    })
    it('INCR family: 64-bit overflow', async () => {
      await expectReplies([
        [['set', 'n', '9223372036854775807'], '+OK\r\n'],
        [['incr', 'n'], '-ERR increment or decrement would overflow\r\n'],
        [['incrby', 'n', '1'], '-ERR increment or decrement would overflow\r\n'],
        [['decrby', 'n', '-1'], '-ERR increment or decrement would overflow\r\n'],
        [['get', 'n'], '$19\r\n9223372036854775807\r\n'],
        [['decr', 'n'], ':9223372036854775806\r\n'],
        [['set', 'm', '-9223372036854775808'], '+OK\r\n'],
        [['decr', 'm'], '-ERR increment or decrement would overflow\r\n'],
        [['incrby', 'm', '-1'], '-ERR increment or decrement would overflow\r\n'],
        [['incr', 'm'], ':-9223372036854775807\r\n'],
        [['set', 'z', '0'], '+OK\r\n'],
        [['decrby', 'z', '-9223372036854775808'], '-ERR decrement would overflow\r\n'],
        [['decrby', 'z', '-9223372036854775807'], ':9223372036854775807\r\n'],
        [['set', 'w', '-1'], '+OK\r\n'],
        [['incrby', 'w', '-9223372036854775808'], '-ERR increment or decrement would overflow\r\n'],
        [['incrby', 'w', '9223372036854775807'], ':9223372036854775806\r\n'],
      ])
    })
    it('INCR family: values and arguments must be strict integers', async () => {
      await expectReplies([
        [['set', 'n', ' 1'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '1 '], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '01'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '-0'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '+1'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '1.0'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', ''], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '9223372036854775808'], '+OK\r\n'],
        [['incr', 'n'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', 'abc'], '+OK\r\n'],
        [['incrby', 'n', '1'], '-ERR value is not an integer or out of range\r\n'],
        [['set', 'n', '5'], '+OK\r\n'],
        [['incrby', 'n', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['incrby', 'n', '1.5'], '-ERR value is not an integer or out of range\r\n'],
        [['incrby', 'n', ''], '-ERR value is not an integer or out of range\r\n'],
        [['decrby', 'n', '9223372036854775808'], '-ERR value is not an integer or out of range\r\n'],
        [['incrby', 'n', '00'], '-ERR value is not an integer or out of range\r\n'],
        [['get', 'n'], '$1\r\n5\r\n'],
        [['lpush', 'l', 'x'], ':1\r\n'],
        [['incr', 'l'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
        [['incrby', 'l', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['decrby', 'l', '-9223372036854775808'], '-ERR decrement would overflow\r\n'],
      ])
    })
    it('INCR keeps the TTL', async () => {
      await expectReplies([
        [['set', 'n', '1', 'EX', '100'], '+OK\r\n'],
        [['incr', 'n'], ':2\r\n'],
        [['ttl', 'n'], ':100\r\n'],
        [['incrbyfloat', 'n', '1.5'], '$3\r\n3.5\r\n'],
        [['ttl', 'n'], ':100\r\n'],
        [['append', 'n', '0'], ':4\r\n'],
        [['ttl', 'n'], ':100\r\n'],
        [['setrange', 'n', '0', '9'], ':4\r\n'],
        [['ttl', 'n'], ':100\r\n'],
        [['getset', 'n', '1'], '$4\r\n9.50\r\n'],
        [['ttl', 'n'], ':-1\r\n'],
      ])
    })
  })
})
