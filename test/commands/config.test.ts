/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP and the ConfigRegistry behind them. Replies and error texts are
 * redis-server 7.0.15's for the same commands (only the order of several CONFIG GET results differs: Redis answers
 * in hash-table order).
 */
import { describe, expect, it } from 'vitest'
import { ConfigRegistry, parseMemory } from '../../src/engine/config.ts'
import { respText, testEngine } from '../helpers.ts'

/** CONFIG GET's pairs as a map, whatever their order. */
async function configGet(t: ReturnType<typeof testEngine>, ...patterns: string[]): Promise<Map<string, string>> {
  const reply = (await t.conn.call('CONFIG', 'GET', ...patterns)) as unknown as { entries: Array<[Buffer, Buffer]> }
  return new Map(reply.entries.map(([k, v]) => [k.toString('latin1'), v.toString('latin1')]))
}

function failed(arg: string, why: string): string {
  return `-ERR CONFIG SET failed (possibly related to argument '${arg}') - ${why}\r\n`
}

describe('CONFIG GET', () => {
  it('answers name/value pairs, a map in RESP3', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'GET', 'maxclients')).toBe('*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n')
    await t.conn.call('HELLO', '3')
    expect(respText(await t.conn.call('CONFIG', 'GET', 'maxclients'), 3)).toBe(
      '%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n',
    )
    expect(await t.resp('CONFIG', 'GET', 'nosuch')).toBe('*0\r\n')
  })

  it('answers an exact name as it was spelled, aliases included', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'GET', 'MAXCLIENTS')).toBe('*2\r\n$10\r\nMAXCLIENTS\r\n$5\r\n10000\r\n')
    expect(await t.resp('CONFIG', 'GET', 'lua-time-limit')).toBe('*2\r\n$14\r\nlua-time-limit\r\n$4\r\n5000\r\n')
    // Each parameter once, however often it is asked for.
    expect(await t.resp('CONFIG', 'GET', 'hz', 'HZ')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n')
    expect(await t.resp('CONFIG', 'GET', 'HZ', 'hz')).toBe('*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n')
    expect(await t.resp('CONFIG', 'GET', 'h?', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n')
  })

  it('matches glob patterns case-insensitively against names and aliases', async () => {
    const t = testEngine()
    expect(await configGet(t, '*-TIME-limit', '*reply*')).toEqual(
      new Map([
        ['lua-time-limit', '5000'],
        ['busy-reply-threshold', '5000'],
      ]),
    )
    expect(await configGet(t, 'maxmemory*', 'timeout')).toEqual(
      new Map([
        ['maxmemory', '0'],
        ['maxmemory-policy', 'noeviction'],
        ['maxmemory-samples', '5'],
        ['maxmemory-eviction-tenacity', '10'],
        ['timeout', '0'],
      ]),
    )
    const all = await configGet(t, '*')
    expect(all.get('databases')).toBe('16')
    expect(all.get('save')).toBe('3600 1 300 100 60 10000')
  })

  it('keeps the redsim-only active-expire-enabled out of patterns, but answers it by name', async () => {
    const t = testEngine()
    expect((await configGet(t, '*')).has('active-expire-enabled')).toBe(false)
    expect(await configGet(t, 'active-expire-enabled')).toEqual(new Map([['active-expire-enabled', 'yes']]))
  })
})

describe('CONFIG SET', () => {
  it('sets one or several parameters, normalising values as Redis does', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'SET', 'maxmemory', '1GB', 'loglevel', 'WARNING', 'rdbcompression', 'NO')).toBe(
      '+OK\r\n',
    )
    expect(await configGet(t, 'maxmemory', 'loglevel', 'rdbcompression')).toEqual(
      new Map([
        ['maxmemory', '1073741824'],
        ['loglevel', 'warning'],
        ['rdbcompression', 'no'],
      ]),
    )
    await t.resp('CONFIG', 'SET', 'maxmemory', '010mb', 'maxmemory-policy', 'ALLKEYS-LRU')
    expect(await configGet(t, 'maxmemory', 'maxmemory-policy')).toEqual(
      new Map([
        ['maxmemory', '10485760'],
        ['maxmemory-policy', 'allkeys-lru'],
      ]),
    )
    await t.resp('CONFIG', 'SET', 'maxmemory', '')
    expect((await configGet(t, 'maxmemory')).get('maxmemory')).toBe('0')
    await t.resp('CONFIG', 'SET', 'maxmemory', '1k')
    expect((await configGet(t, 'maxmemory')).get('maxmemory')).toBe('1000')
    expect(t.engine.config.getNumber('maxmemory')).toBe(1000)
  })

  it('keeps hz within 1..500 and stores 64-bit values exactly', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'hz', '1000')
    expect((await configGet(t, 'hz')).get('hz')).toBe('500')
    await t.resp('CONFIG', 'SET', 'hz', '0')
    expect((await configGet(t, 'hz')).get('hz')).toBe('1')
    await t.resp('CONFIG', 'SET', 'slowlog-log-slower-than', '9223372036854775807')
    expect((await configGet(t, 'slowlog-log-slower-than')).get('slowlog-log-slower-than')).toBe('9223372036854775807')
  })

  it('takes names case-insensitively; a name and its alias are different arguments, the last one wins', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'SET', 'Hz', '11')).toBe('+OK\r\n')
    expect(t.engine.config.get('hz')).toBe('11')
    expect(await t.resp('CONFIG', 'SET', 'lua-time-limit', '1', 'busy-reply-threshold', '2')).toBe('+OK\r\n')
    expect(t.engine.config.get('busy-reply-threshold')).toBe('2')
    expect(await t.resp('CONFIG', 'SET', 'busy-reply-threshold', '3', 'lua-time-limit', '4')).toBe('+OK\r\n')
    expect(t.engine.config.get('lua-time-limit')).toBe('4')
  })

  it('answers Redis errors for each kind of bad value', async () => {
    const t = testEngine()
    const notInt = "argument couldn't be parsed into an integer"
    for (const bad of ['abc', '1.5', '010', '+5', ' 5', '', '99999999999999999999999']) {
      expect(await t.resp('CONFIG', 'SET', 'hz', bad)).toBe(failed('hz', notInt))
    }
    expect(await t.resp('CONFIG', 'SET', 'hz', '-1')).toBe(
      failed('hz', 'argument must be between 0 and 2147483647 inclusive'),
    )
    expect(await t.resp('CONFIG', 'SET', 'maxclients', '0')).toBe(
      failed('maxclients', 'argument must be between 1 and 4294967295 inclusive'),
    )
    expect(await t.resp('CONFIG', 'SET', 'slowlog-log-slower-than', '-2')).toBe(
      failed('slowlog-log-slower-than', 'argument must be between -1 and 9223372036854775807 inclusive'),
    )
    expect(await t.resp('CONFIG', 'SET', 'lua-time-limit', '-1')).toBe(
      failed('lua-time-limit', 'argument must be between 0 and 9223372036854775807 inclusive'),
    )
    expect(await t.resp('CONFIG', 'SET', 'proto-max-bulk-len', '10')).toBe(
      failed('proto-max-bulk-len', 'argument must be between 1048576 and 9223372036854775807 inclusive'),
    )
    for (const bad of ['1x', '-1', '1.5gb']) {
      expect(await t.resp('CONFIG', 'SET', 'maxmemory', bad)).toBe(
        failed('maxmemory', 'argument must be a memory value'),
      )
    }
    // redsim has no AOF: turning it on is refused, never accepted and ignored.
    expect(await t.resp('CONFIG', 'SET', 'appendonly', 'yes')).toBe(
      failed('appendonly', 'redsim does not support AOF persistence; use RDB snapshots (save, BGSAVE)'),
    )
    expect(await t.resp('CONFIG', 'SET', 'appendonly', 'maybe')).toBe(
      failed('appendonly', "argument must be 'yes' or 'no'"),
    )
    expect(await t.resp('CONFIG', 'SET', 'maxmemory-policy', 'foo')).toBe(
      failed(
        'maxmemory-policy',
        'argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction',
      ),
    )
  })

  it('checks every name before any value, and applies nothing unless everything is valid', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'SET', 'foo', 'bar')).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
    )
    expect(await t.resp('CONFIG', 'SET', 'hz', 'x', 'foo', '1')).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
    )
    expect(await t.resp('CONFIG', 'SET', 'databases', '3')).toBe(failed('databases', "can't set immutable config"))
    expect(await t.resp('CONFIG', 'SET', 'databases', '3', 'foo', '1')).toBe(
      failed('databases', "can't set immutable config"),
    )
    expect(await t.resp('CONFIG', 'SET', 'hz', '5', 'HZ', '6')).toBe(failed('HZ', 'duplicate parameter'))
    expect(await t.resp('CONFIG', 'SET', 'hz', '5', 'timeout', 'x')).toBe(
      failed('timeout', "argument couldn't be parsed into an integer"),
    )
    expect(t.engine.config.get('hz')).toBe('10')
    expect(await t.resp('CONFIG', 'SET', 'hz', '10', 'timeout')).toBe('-ERR syntax error\r\n')
    expect(await t.resp('CONFIG', 'SET', 'hz')).toBe("-ERR wrong number of arguments for 'config|set' command\r\n")
  })

  it('validates save as "<seconds> <changes>" pairs', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'SET', 'save', '3600 1 300 100')).toBe('+OK\r\n')
    expect((await configGet(t, 'save')).get('save')).toBe('3600 1 300 100')
    expect(await t.resp('CONFIG', 'SET', 'save', '+60 01')).toBe('+OK\r\n')
    expect((await configGet(t, 'save')).get('save')).toBe('60 1')
    for (const bad of ['100', '100 x', '0 0', '  100   10  ', '10 -1']) {
      expect(await t.resp('CONFIG', 'SET', 'save', bad)).toBe(failed('save', 'Invalid save parameters'))
    }
    expect(await t.resp('CONFIG', 'SET', 'save', '')).toBe('+OK\r\n')
    expect((await configGet(t, 'save')).get('save')).toBe('')
  })

  it('validates and normalises notify-keyspace-events', async () => {
    const t = testEngine()
    const cases: Array<[string, string]> = [
      ['KEA', 'AKE'],
      ['An', 'A'],
      ['nK', 'nK'],
      ['gmE$', 'g$Em'],
      ['g$lshzxetd', 'A'],
      ['', ''],
    ]
    for (const [input, stored] of cases) {
      expect(await t.resp('CONFIG', 'SET', 'notify-keyspace-events', input)).toBe('+OK\r\n')
      expect((await configGet(t, 'notify-keyspace-events')).get('notify-keyspace-events')).toBe(stored)
    }
    expect(await t.resp('CONFIG', 'SET', 'notify-keyspace-events', 'Q')).toBe(
      failed('notify-keyspace-events', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
    )
  })

  it('requirepass applies to new connections; clearing it lets everyone in', async () => {
    const t = testEngine()
    await t.resp('CONFIG', 'SET', 'requirepass', 'secret')
    expect(await t.resp('PING')).toBe('+PONG\r\n')
    const late = t.connect()
    expect(respText(await late.call('PING'))).toBe('-NOAUTH Authentication required.\r\n')
    await t.resp('CONFIG', 'SET', 'requirepass', '')
    expect(respText(await late.call('PING'))).toBe('+PONG\r\n')
  })

  it('reports changes through onChange with the canonical name', async () => {
    const t = testEngine()
    const seen: Array<[string, string]> = []
    t.engine.config.onChange = (name, value) => seen.push([name, value])
    await t.resp('CONFIG', 'SET', 'lua-time-limit', '100', 'hz', '20')
    await t.resp('CONFIG', 'SET', 'hz', 'bad')
    expect(seen).toEqual([
      ['busy-reply-threshold', '100'],
      ['hz', '20'],
    ])
  })
})

describe('CONFIG RESETSTAT, REWRITE, HELP', () => {
  it('RESETSTAT zeroes INFO statistics; its own call is counted afterwards, as in Redis', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await t.resp('GET', 'k')
    await t.resp('GET', 'missing')
    await t.resp('SELECT', 'x')
    expect(await t.resp('CONFIG', 'RESETSTAT')).toBe('+OK\r\n')
    const stats = respText(await t.conn.call('INFO', 'stats'))
    expect(stats).toContain('\r\ntotal_connections_received:0\r\n')
    expect(stats).toContain('\r\ntotal_commands_processed:1\r\n')
    expect(stats).toContain('\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\n')
    expect(stats).toContain('\r\ntotal_error_replies:0\r\n')
    const body =
      '# Commandstats\r\n' +
      'cmdstat_config|resetstat:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n' +
      'cmdstat_info:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n' +
      '\r\n# Errorstats\r\n'
    expect(await t.resp('INFO', 'commandstats', 'errorstats')).toBe(`$${body.length}\r\n${body}\r\n`)
  })

  it('REWRITE has no config file to rewrite', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'REWRITE')).toBe('-ERR The server is running without a config file\r\n')
  })

  it("HELP prints Redis 7.0's text; unknown subcommands and arity are checked", async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'HELP')).toBe(
      '*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n' +
        '+    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n' +
        '+    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n' +
        '+    Reset statistics reported by the INFO command.\r\n+REWRITE\r\n+    Rewrite the configuration file.\r\n' +
        '+HELP\r\n+    Prints this help.\r\n',
    )
    expect(await t.resp('CONFIG', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n")
    expect(await t.resp('CONFIG')).toBe("-ERR wrong number of arguments for 'config' command\r\n")
    expect(await t.resp('CONFIG', 'GET')).toBe("-ERR wrong number of arguments for 'config|get' command\r\n")
  })
})

describe('ConfigRegistry', () => {
  it('set() at startup may change immutable parameters; names() lists each parameter once', () => {
    const config = new ConfigRegistry()
    expect(config.set('databases', '4')).toBeNull()
    expect(config.getNumber('databases')).toBe(4)
    expect(config.set('nosuch', '1')?.message).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    )
    const names = config.names()
    expect(new Set(names).size).toBe(names.length)
    expect(names).toContain('busy-reply-threshold')
    expect(names).not.toContain('lua-time-limit')
    expect(config.has('LUA-TIME-LIMIT')).toBe(true)
  })

  it('parseMemory reads memtoull units', () => {
    expect(parseMemory('1gb')).toBe(1024 ** 3)
    expect(parseMemory('1G')).toBe(1e9)
    expect(parseMemory('100mb')).toBe(100 * 1024 * 1024)
    expect(parseMemory('10k')).toBe(10_000)
    expect(parseMemory('10KB')).toBe(10_240)
    expect(parseMemory('42')).toBe(42)
    expect(parseMemory('7b')).toBe(7)
    expect(parseMemory('1x')).toBeNull()
    expect(parseMemory('-1')).toBeNull()
  })
})
