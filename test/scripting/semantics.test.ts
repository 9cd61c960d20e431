/**
 * The scripting semantics with their exact Redis 7.0 replies (../shared/redis-semantics.md, checked against
 * redis-server 7.0.15), in process: they hold even where no redis-server is installed. scripting.diff.test.ts compares
 * the same ground and more byte for byte against a live redis-server.
 */
import { describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { testEngine } from '../helpers.ts'

const t = testEngine()
const ev = (script: string, ...rest: Array<string | number>) => t.resp('EVAL', script, ...(rest.length ? rest : [0]))

/** The 7.0 suffix of an error raised while a script runs. */
const at = (line = 1) => new RegExp(` script: [0-9a-f]{40}, on @user_script:${line}\\.\\r\\n$`)

describe('Lua -> reply', () => {
  it.each([
    ['return 3.99', ':3\r\n'],
    ['return -3.99', ':-3\r\n'],
    ["return 'x'", '$1\r\nx\r\n'],
    ['return true', ':1\r\n'],
    ['return false', '$-1\r\n'],
    ['return nil', '$-1\r\n'],
    ["return {err = 'plain err'}", '-plain err\r\n'],
    ["return {err = 'e', ok = 'o'}", '-e\r\n'],
    ["return {ok = 'fine'}", '+fine\r\n'],
    ['return {ok = 1}', '*0\r\n'],
    ['return {1, 2, nil, 4}', '*2\r\n:1\r\n:2\r\n'],
    ['return {1, false, 3}', '*3\r\n:1\r\n$-1\r\n:3\r\n'],
    ["return {1, {2, 'x'}, a = 5}", '*2\r\n:1\r\n*2\r\n:2\r\n$1\r\nx\r\n'],
    ["return redis.error_reply('nospace')", '-ERR nospace\r\n'],
    ["return redis.error_reply('MY custom')", '-MY custom\r\n'],
    ["return redis.error_reply('-MINUS x')", '-MINUS x\r\n'],
    ["return redis.status_reply('FINE')", '+FINE\r\n'],
    ['return redis.error_reply()', '-ERR wrong number or type of arguments\r\n'],
    ['return redis.status_reply()', '-ERR wrong number or type of arguments\r\n'],
  ])('%s', async (script, expected) => {
    expect(await ev(script)).toBe(expected)
  })
})

describe('reply -> Lua', () => {
  it('integer, bulk, nil, status, array and errors as redis.call returns them', async () => {
    await t.resp('SET', 's', 'text')
    await t.resp('RPUSH', 'l', 'a', 'b')
    expect(await ev("return type(redis.call('INCR', 'n'))")).toBe('$6\r\nnumber\r\n')
    expect(await ev("return redis.call('GET', 's')")).toBe('$4\r\ntext\r\n')
    expect(await ev("return redis.call('GET', 'missing') == false")).toBe(':1\r\n')
    expect(await ev("return redis.call('SET', 'x', 'y').ok")).toBe('$2\r\nOK\r\n')
    expect(await ev("return redis.call('LRANGE', 'l', 0, -1)")).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n')
    expect(await ev("return redis.pcall('INCR', 's').err")).toBe(
      '$43\r\nERR value is not an integer or out of range\r\n',
    )
    expect(await ev("return redis.call('INCR', 's')")).toMatch(/^-ERR value is not an integer or out of range script: /)
    expect(await ev("return redis.pcall('LPUSH', 's', 'x')")).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    )
  })

  it('arguments: strings and numbers ("%.17g"), anything else an error', async () => {
    expect(await ev("redis.call('SET', 'f', 3.0) return redis.call('GET', 'f')")).toBe('$1\r\n3\r\n')
    expect(await ev("redis.call('SET', 'f', 3.5) return redis.call('GET', 'f')")).toBe('$3\r\n3.5\r\n')
    expect(await ev("redis.call('SET', 'f', 0.1) return redis.call('GET', 'f')")).toBe('$19\r\n0.10000000000000001\r\n')
    expect(await ev("return redis.call('SET', 'f', {})")).toMatch(
      /^-ERR Lua redis lib command arguments must be strings or integers script: /,
    )
    expect(await ev('return redis.call()')).toMatch(
      /^-ERR Please specify at least one argument for this redis lib call/,
    )
  })
})

describe('errors from scripts', () => {
  it.each([
    ["return redis.call('nosuch')", /^-ERR Unknown Redis command called from script/],
    ["return redis.call('GET')", /^-ERR Wrong number of args calling Redis command from script/],
    ["error('boom')", /^-ERR user_script:1: boom/],
    ["error({err = 'MYERR custom'})", /^-MYERR custom/],
    ['error(42)', /^-ERR user_script:1: 42/],
    ["return redis.call('MULTI')", /^-ERR This Redis command is not allowed from script/],
    ["return redis.call('EVAL', 'return 1', 0)", /^-ERR This Redis command is not allowed from script/],
    ["return redis.call('BLPOP', 'l', 0)", /^-ERR This Redis command is not allowed from script/],
  ])('%s', async (script, expected) => {
    const reply = await ev(script)
    expect(reply).toMatch(expected)
    expect(reply).toMatch(at())
  })

  it('pcall returns the error table with the script-flavoured text, no position', async () => {
    expect(await ev("return redis.pcall('nosuch')")).toBe('-ERR Unknown Redis command called from script\r\n')
  })

  it('the line is that of the failing call; a shebang counts as a line', async () => {
    expect(await ev("\n\nerror('x')")).toMatch(at(3))
    expect(await ev("#!lua\nerror('x')")).toMatch(at(2))
  })

  it('error({}) is a plain ERR reply (real 7.0.15 crashes here)', async () => {
    expect(await ev('error({})')).toMatch(/^-ERR /)
    expect(await t.resp('PING')).toBe('+PONG\r\n')
  })

  it('compile errors', async () => {
    expect(await ev('return +')).toBe(
      "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n",
    )
    expect(await ev('return')).toBe('$-1\r\n')
    expect(await ev('local')).toBe(
      "-ERR Error compiling script (new function): user_script:1: '<name>' expected near '<eof>'\r\n",
    )
    expect(await ev('retrun 1')).toBe(
      "-ERR Error compiling script (new function): user_script:1: '=' expected near '1'\r\n",
    )
  })

  it('writes made before a runtime error stay', async () => {
    expect(await ev("redis.call('SET', 'w', '1') error('late')")).toMatch(/^-ERR user_script:1: late/)
    expect(await t.resp('GET', 'w')).toBe('$1\r\n1\r\n')
  })
})

describe('numkeys', () => {
  it.each([
    [['-1'], "-ERR Number of keys can't be negative\r\n"],
    [['2', 'a'], "-ERR Number of keys can't be greater than number of args\r\n"],
    [['x'], '-ERR value is not an integer or out of range\r\n'],
  ])('EVAL return 1 %j', async (rest, expected) => {
    expect(await t.resp('EVAL', 'return 1', ...rest)).toBe(expected)
  })
})

describe('SCRIPT and EVALSHA', () => {
  it('LOAD, EXISTS, EVALSHA in any case, NOSCRIPT, FLUSH, bad options, HELP', async () => {
    const e = testEngine()
    const sha = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'
    expect(await e.resp('SCRIPT', 'LOAD', 'return 1')).toBe(`$40\r\n${sha}\r\n`)
    expect(await e.resp('SCRIPT', 'EXISTS', sha, 'nope')).toBe('*2\r\n:1\r\n:0\r\n')
    expect(await e.resp('EVALSHA', sha.toUpperCase(), 0)).toBe(':1\r\n')
    expect(await e.resp('EVALSHA', 'f'.repeat(40), 0)).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n')
    expect(await e.resp('SCRIPT', 'FLUSH', 'ASYNC')).toBe('+OK\r\n')
    expect(await e.resp('EVALSHA', sha, 0)).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n')
    expect(await e.resp('SCRIPT', 'FLUSH', 'BOGUS')).toBe('-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n')
    expect(await e.resp('SCRIPT', 'BOGUS')).toBe("-ERR unknown subcommand 'BOGUS'. Try SCRIPT HELP.\r\n")
    expect(await e.resp('SCRIPT', 'KILL')).toBe('-NOTBUSY No scripts in execution right now.\r\n')
    expect(await e.resp('SCRIPT', 'HELP')).toMatch(/^\*\d+\r\n\+SCRIPT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]/)
    // EVAL caches what it runs.
    await e.resp('EVAL', 'return 1', 0)
    expect(await e.resp('SCRIPT', 'EXISTS', sha)).toBe('*1\r\n:1\r\n')
  })
})

describe('read-only scripts and shebang flags', () => {
  const writeRefused = /^-ERR Write commands are not allowed from read-only scripts\. script: /
  it('EVAL_RO, EVALSHA_RO and flags=no-writes refuse writes, allow reads', async () => {
    expect(await t.resp('EVAL_RO', "return redis.call('SET', 'k', 'v')", 0)).toMatch(writeRefused)
    expect(await t.resp('EVAL_RO', "return redis.call('PUBLISH', 'c', 'm')", 0)).toMatch(writeRefused)
    expect(await ev("#!lua flags=no-writes\nreturn redis.call('SET', 'k', 'v')")).toMatch(writeRefused)
    expect(await t.resp('EVAL_RO', "return redis.call('EXISTS', 'k')", 0)).toBe(':0\r\n')
    expect(await t.resp('EVAL_RO', '#!lua\nreturn 1', 0)).toBe(
      '-ERR Can not execute a script with write flag using *_ro command.\r\n',
    )
  })

  it('every flag is accepted; unknown flags, engines and options are refused', async () => {
    expect(await ev('#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2')).toBe(
      ':2\r\n',
    )
    expect(await ev('#!lua flags=bogus\nreturn 1')).toBe('-ERR Unexpected flag in script shebang: bogus\r\n')
    expect(await ev('#!notlua\nreturn 1')).toBe('-ERR Unexpected engine in script shebang: #!notlua\r\n')
    expect(await ev('#!lua name=foo\nreturn 1')).toBe('-ERR Unknown lua shebang option: name=foo\r\n')
  })
})

describe('the redis table', () => {
  it('sha1hex, version, constants, replicate_commands, log levels, setresp', async () => {
    expect(await ev("return redis.sha1hex('')")).toBe('$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n')
    expect(await ev('return redis.REDIS_VERSION')).toBe('$6\r\n7.0.15\r\n')
    expect(await ev('return redis.REDIS_VERSION_NUM')).toBe(':458767\r\n')
    expect(await ev('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}')).toBe(
      '*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n',
    )
    expect(await ev('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_ALL}')).toBe(
      '*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n',
    )
    expect(await ev('return redis.replicate_commands()')).toBe(':1\r\n')
    expect(await ev("return redis.log(99, 'x')")).toMatch(/^-ERR Invalid debug level\. script: /)
    expect(await ev("redis.setresp(3) return redis.call('GET', 'missing') == nil")).toBe(':1\r\n')
    expect(await ev('return redis.setresp(4)')).toMatch(/^-ERR RESP version must be 2 or 3\. script: /)
  })

  it('redis.log writes to the server log at the level asked', async () => {
    const logger = memoryLogger()
    const e = testEngine({ logger })
    await e.resp('EVAL', "redis.log(redis.LOG_WARNING, 'from', 'a script') redis.log(redis.LOG_DEBUG, 'quiet')", 0)
    const lines = logger.lines.map((l) => `${l.level}:${l.message}`)
    expect(lines).toContain('warning:from a script')
    expect(lines).toContain('debug:quiet')
  })
})

describe('scripts in MULTI/EXEC', () => {
  it('queued, run in order under the EXEC, with errors in place', async () => {
    const e = testEngine()
    expect(await e.resp('MULTI')).toBe('+OK\r\n')
    expect(await e.resp('EVAL', "return redis.call('INCR', 'c')", 0)).toBe('+QUEUED\r\n')
    expect(await e.resp('EVAL', "error('inside')", 0)).toBe('+QUEUED\r\n')
    expect(await e.resp('EVAL', "return redis.call('INCR', 'c')", 0)).toBe('+QUEUED\r\n')
    const reply = await e.resp('EXEC')
    expect(reply).toMatch(
      /^\*3\r\n:1\r\n-ERR user_script:1: inside script: [0-9a-f]{40}, on @user_script:1\.\r\n:2\r\n$/,
    )
  })
})

describe('numbers as Lua 5.1 has them', () => {
  it('sums 1..100000 exactly; INCR results up to 2^53 round-trip', async () => {
    expect(await ev('local s = 0 for i = 1, 100000 do s = s + i end return s')).toBe(':5000050000\r\n')
    await t.resp('SET', 'big', String(2 ** 53 - 2))
    expect(await ev("redis.call('INCR', 'big') return redis.call('INCR', 'big')")).toBe(`:${2 ** 53}\r\n`)
    expect(await ev("return tostring(redis.call('GET', 'big') + 0)")).toBe('$18\r\n9.007199254741e+15\r\n')
    expect(await ev("return string.format('%.0f', redis.call('GET', 'big'))")).toBe(`$16\r\n${2 ** 53}\r\n`)
  })

  it('5.1 formatting and library behaviour', async () => {
    expect(await ev('return tostring(3.0)')).toBe('$1\r\n3\r\n')
    expect(await ev("return 10 / 3 .. ''")).toBe('$15\r\n3.3333333333333\r\n')
    expect(await ev('return {unpack({1, 2, 3})}')).toBe('*3\r\n:1\r\n:2\r\n:3\r\n')
    expect(await ev("return loadstring('return 1 + 1')()")).toBe(':2\r\n')
    expect(await ev('return _VERSION')).toBe('$7\r\nLua 5.1\r\n')
    expect(await ev("return string.sub('abcdef', 1, 2.5)")).toBe('$2\r\nab\r\n')
  })

  it("math.random: Redis's generator, repeatable after math.randomseed", async () => {
    const seeded = 'math.randomseed(42) return {tostring(math.random()), math.random(10), math.random(5, 15)}'
    expect(await ev(seeded)).toBe('*3\r\n$16\r\n0.74452500033403\r\n:4\r\n:6\r\n')
    expect(await ev(seeded)).toBe('*3\r\n$16\r\n0.74452500033403\r\n:4\r\n:6\r\n')
  })
})
