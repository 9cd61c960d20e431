/**
 * Redis 7.0 Functions: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and FCALL_RO must reply
 * exactly as redis-server does, errors included. Each case starts with FUNCTION FLUSH (FLUSHALL keeps libraries).
 * Cases with several libraries or functions list one at a time: Redis's FUNCTION LIST and DUMP follow its hash
 * table's order, which is not defined.
 */
import { expect, it } from 'vitest'
import { describeDifferential, differentialCases, type StepInput } from './harness.ts'
import { RawClient } from './raw-client.ts'

const load = (code: string, ...options: string[]): string[] => ['FUNCTION', 'LOAD', ...options, code]
const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`

const COUNTER = lib(
  'counter',
  [
    "redis.register_function('incr_by', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)",
    "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads the counter'}",
  ].join('\n'),
)

const TRANSFER = lib(
  'bank',
  [
    'local function transfer(keys, args)',
    '  local amount = tonumber(args[1])',
    "  local from = tonumber(redis.call('GET', keys[1]) or '0')",
    "  if from < amount then return redis.error_reply('insufficient funds') end",
    "  redis.call('DECRBY', keys[1], amount)",
    "  return redis.call('INCRBY', keys[2], amount)",
    'end',
    "redis.register_function('transfer', transfer)",
  ].join('\n'),
)

const READER =
  "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}"

const one = (body: string): string => lib('l1', body)

const cases: Record<string, StepInput[]> = {
  'LOAD, FCALL, FCALL_RO and LIST': [
    load(COUNTER),
    'FCALL incr_by 1 c 5',
    'FCALL INCR_BY 1 c 2',
    'FCALL_RO peek 1 c',
    'FCALL_RO incr_by 1 c 1',
    'FCALL peek 1 c',
    'FUNCTION STATS',
  ],
  'LIST of a library with one function': [
    load(lib('reader', READER)),
    'FUNCTION LIST',
    'FUNCTION LIST WITHCODE',
    'FUNCTION LIST LIBRARYNAME read*',
    'FUNCTION LIST LIBRARYNAME READER',
    'FUNCTION LIST LIBRARYNAME nomatch',
    'FUNCTION LIST WITHCODE LIBRARYNAME r?ader',
  ],
  'a function that fails and one that returns an error reply': [
    load(TRANSFER),
    'SET a 10',
    'FCALL transfer 2 a b 4',
    'FCALL transfer 2 a b 40',
    'MGET a b',
    'SET a text',
    'FCALL transfer 2 a b 1',
  ],
  'FCALL argument errors': [
    'FCALL nosuch 0',
    load(COUNTER),
    'FCALL incr_by x',
    'FCALL incr_by 5 a',
    'FCALL incr_by -1 a',
    'FCALL incr_by 1',
    'FCALL_RO nosuch 0',
  ],
  'LOAD errors: metadata': [
    load('return 1'),
    load('#!lua name=x'),
    load('#!lua\nreturn 1'),
    load('#!lua name=a name=b\nreturn 1'),
    load('#!lua name=a foo=bar\nreturn 1'),
    load('#! name=a\nreturn 1'),
    load('#!js name=a\nreturn 1'),
    load('#!lua name=bad-name\nreturn 1'),
    load('#!lua name=\nreturn 1'),
    load('#!lua "name=a\nreturn 1'),
    load("#!LUA NAME=upper\nredis.register_function('up', function() return 1 end)"),
    ['FUNCTION', 'LOAD', 'REPLACE'],
    ['FUNCTION', 'LOAD', 'NOTREPLACE', one("redis.register_function('f', function() return 1 end)")],
  ],
  'LOAD errors: the code': [
    load(one('return +')),
    load(one('local x = 1')),
    load(one("redis.register_function('f', function() return 1 end)\nerror('boom')")),
    load(one("redis.register_function('f', function() return 1 end)\nerror({err='-MYERR custom'})")),
    load(one("local s = string.len('a')")),
    load(one("redis.call('PING')")),
    load(one('x = 1')),
    load(
      one(
        "redis.register_function('f', function() return 1 end)\nredis.register_function('f', function() return 2 end)",
      ),
    ),
    load(one("redis.register_function('bad name', function() return 1 end)")),
    load(one("redis.register_function('', function() return 1 end)")),
    load(one('redis.register_function(1, function() return 1 end)')),
    load(one('redis.register_function({}, function() return 1 end)')),
    load(one("redis.register_function('f', 'not a function')")),
    load(one('redis.register_function()')),
    load(one("redis.register_function('a', function() end, 3)")),
    load(one("redis.register_function('f')")),
    'FUNCTION LIST',
  ],
  'LOAD errors: named arguments': [
    load(one("redis.register_function{function_name='f'}")),
    load(one('redis.register_function{callback=function() return 1 end}')),
    load(one("redis.register_function{function_name='f', callback=function() return 1 end, flags={'bad-flag'}}")),
    load(one("redis.register_function{function_name='f', callback=function() return 1 end, flags='no-writes'}")),
    load(one("redis.register_function{function_name='f', callback=function() return 1 end, other=1}")),
    load(one('redis.register_function{function_name={}, callback=function() return 1 end}')),
    load(one("redis.register_function{function_name='f', callback='x'}")),
    load(one("redis.register_function{function_name='f', callback=function() return 1 end, description={}}")),
    load(one("redis.register_function{[1]='f'}")),
    load(one("redis.register_function('x')")),
    load(one('redis.register_function(nil)')),
  ],
  'flags: every flag, any case, listed in Redis order': [
    load(
      one(
        "redis.register_function{function_name='f', callback=function() return 1 end, flags={'ALLOW-CROSS-SLOT-KEYS', 'no-cluster', 'allow-stale', 'allow-oom', 'no-writes'}}",
      ),
    ),
    'FUNCTION LIST',
    'FCALL_RO f 0',
  ],
  'REPLACE, DELETE and name collisions': [
    load(lib('a', "redis.register_function('fa', function() return 'a1' end)")),
    load(lib('a', "redis.register_function('fa', function() return 'a2' end)")),
    load(lib('a', "redis.register_function('fa', function() return 'a2' end)"), 'REPLACE'),
    'FCALL fa 0',
    load(lib('b', "redis.register_function('FA', function() return 'b' end)")),
    load(lib('a', "redis.register_function('other', function() return 'a3' end)"), 'replace'),
    'FCALL fa 0',
    'FCALL other 0',
    'FUNCTION DELETE nosuch',
    'FUNCTION DELETE A',
    'FUNCTION DELETE a',
    'FCALL other 0',
    'FUNCTION LIST',
    'FUNCTION DELETE',
    'FUNCTION DELETE a b',
  ],
  'a failed REPLACE keeps the old library': [
    load(lib('a', "redis.register_function('fa', function() return 'old' end)")),
    load(lib('a', "redis.register_function('fa', function() return 'new' end)\nerror('no')"), 'REPLACE'),
    'FCALL fa 0',
    load(lib('a', 'local x = 1'), 'REPLACE'),
    'FCALL fa 0',
  ],
  FLUSH: [
    load(COUNTER),
    'FUNCTION FLUSH',
    'FCALL incr_by 1 c 1',
    'FUNCTION FLUSH SYNC',
    'FUNCTION FLUSH async',
    'FUNCTION FLUSH bad',
    'FUNCTION FLUSH sync extra',
    'FUNCTION LIST',
  ],
  'LIST argument errors': [
    'FUNCTION LIST bad',
    'FUNCTION LIST LIBRARYNAME',
    'FUNCTION LIST WITHCODE WITHCODE',
    'FUNCTION LIST LIBRARYNAME a LIBRARYNAME b',
    'FUNCTION LIST withcode libraryname x',
  ],
  'DUMP and RESTORE': [
    load(COUNTER),
    'FUNCTION DUMP',
    'FUNCTION RESTORE bad',
    'FUNCTION RESTORE a b c',
    'FUNCTION RESTORE x BADPOLICY',
    'FUNCTION RESTORE',
    'FUNCTION DELETE counter',
    'FUNCTION DUMP',
  ],
  'the runtime sandbox of functions': [
    load(
      one(
        [
          "redis.register_function('keys', function() return KEYS end)",
          "redis.register_function('args', function(keys, args) return {#keys, #args, keys[1], args[1]} end)",
          "redis.register_function('setglobal', function() x = 1 end)",
          "redis.register_function('version', function() return {redis.REDIS_VERSION, type(redis.call), type(redis.register_function)} end)",
          "redis.register_function('register', function() return redis.register_function('z', function() end) end)",
          "redis.register_function('lib', function() return {cjson.encode({1}), string.rep('a', 3), type(math.random)} end)",
          "redis.register_function('resp3', function() redis.setresp(3) return redis.call('HGETALL', 'nokey') end)",
        ].join('\n'),
      ),
    ),
    'FCALL keys 0',
    'FCALL args 2 k1 k2 a1',
    'FCALL setglobal 0',
    'FCALL version 0',
    'FCALL register 0',
    'FCALL lib 0',
    'FCALL resp3 0',
  ],
  'the loading sandbox: redis.log and the version are there, call is not': [
    load(
      one(
        "redis.log(redis.LOG_NOTICE, 'loading')\nassert = nil\nredis.register_function('f', function() return 1 end)",
      ),
    ),
    load(one("local v = redis.REDIS_VERSION_NUM\nredis.register_function('f', function() return v end)")),
    'FCALL f 0',
    load(one("local c = redis.call\nredis.register_function('g', function() return 1 end)")),
    load(one("local s = redis.setresp\nredis.register_function('g', function() return 1 end)")),
    load(one("local p = pcall\nredis.register_function('g', function() return 1 end)")),
  ],
  'FCALL inside MULTI/EXEC': [
    load(COUNTER),
    'MULTI',
    'FCALL incr_by 1 c 3',
    'FCALL_RO peek 1 c',
    'FCALL nosuch 0',
    'EXEC',
  ],
  'over maxmemory: write functions and FUNCTION LOAD/RESTORE are refused, no-writes and allow-oom ones run': [
    load(lib('oom', "redis.register_function('w', function() return redis.call('SET', 'x', '1') end)")),
    load(
      lib(
        'oom_ok',
        [
          "redis.register_function{function_name='r', callback=function() return 'hello' end, flags={'no-writes'}}",
          "redis.register_function{function_name='a', callback=function() return redis.call('SET', 'y', '1') end, flags={'allow-oom'}}",
        ].join('\n'),
      ),
    ),
    'CONFIG SET maxmemory 1',
    'FUNCTION RESTORE payload-not-even-read',
    'FCALL w 1 k',
    'FCALL r 1 k',
    'FCALL_RO r 1 k',
    'FCALL a 1 y',
    'GET y',
    load(lib('more', "redis.register_function('m', function() return 1 end)")),
    'FUNCTION DELETE oom',
    'FUNCTION FLUSH',
    'MULTI',
    'FCALL r 0',
    'EXEC',
    'CONFIG SET maxmemory 0',
  ],
  'a no-writes function may not write; pcall sees the refusal': [
    load(
      one(
        [
          "redis.register_function{function_name='w', callback=function() return redis.call('SET', 'x', 1) end, flags={'no-writes'}}",
          "redis.register_function{function_name='p', callback=function() return redis.pcall('SET', 'x', 1) end, flags={'no-writes'}}",
        ].join('\n'),
      ),
    ),
    'FCALL w 0',
    'FCALL p 0',
    'EXISTS x',
  ],
  'COMMAND introspection of FCALL and FUNCTION': [
    'COMMAND GETKEYS FCALL f 2 a b c',
    'COMMAND GETKEYS FCALL_RO f 0 a',
    'COMMAND INFO fcall fcall_ro',
    'COMMAND INFO function|load function|kill function|stats function|restore',
  ],
  'HELP, KILL and STATS when idle': [
    'FUNCTION HELP',
    'FUNCTION KILL',
    'FUNCTION STATS',
    'FUNCTION HELP extra',
    'FUNCTION NOSUCH',
    'FUNCTION',
  ],
}

describeDifferential('differential: functions', (pair) => {
  const withFlush: Record<string, StepInput[]> = {}
  for (const [name, steps] of Object.entries(cases)) withFlush[name] = ['FUNCTION FLUSH', ...steps]
  differentialCases(pair, withFlush)

  it("a payload redis-server dumps restores in redsim, and redsim's dump of it restores in redis-server", async () => {
    const redis = await RawClient.connect(pair().expectedPort)
    const redsim = await RawClient.connect(pair().actualPort)
    try {
      const bulk = (reply: Buffer): Buffer => {
        const header = reply.indexOf('\r\n')
        expect(reply[0]).toBe(0x24)
        return reply.subarray(header + 2, reply.length - 2)
      }
      const dumpOf = async (c: RawClient): Promise<Buffer> => {
        c.command('FUNCTION', 'DUMP')
        return bulk(await c.readReply())
      }
      for (const c of [redis, redsim]) expect(await c.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n')
      // Long and repetitive enough that Redis stores it LZF-compressed.
      expect(await redis.call('FUNCTION', 'LOAD', COUNTER)).toBe('$7\r\ncounter\r\n')
      const fromRedis = await dumpOf(redis)
      expect(await redsim.call('FUNCTION', 'RESTORE', fromRedis)).toBe('+OK\r\n')
      expect(await redsim.call('FCALL', 'incr_by', '1', 'restored', '7')).toBe(':7\r\n')
      const fromRedsim = await dumpOf(redsim)
      expect(fromRedsim.equals(fromRedis)).toBe(true)
      expect(await redis.call('FUNCTION', 'RESTORE', fromRedsim, 'REPLACE')).toBe('+OK\r\n')
      expect(await redis.call('FCALL', 'incr_by', '1', 'restored', '7')).toBe(':7\r\n')
    } finally {
      redis.close()
      redsim.close()
    }
  })
})
