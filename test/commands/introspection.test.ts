/**
 * COMMAND and its subcommands. COMMAND INFO entries are compared byte for byte with what redis-server 7.0.15 answers
 * (introspection-redis-7.0.15.json holds its RESP2 replies to `COMMAND INFO <name>`).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { encodeReply } from '../../src/protocol/resp-encoder.ts'
import type { MapReply, Reply } from '../../src/protocol/reply.ts'
import { respText, testEngine } from '../helpers.ts'

const REDIS: Record<string, string> = JSON.parse(
  readFileSync(new URL('./introspection-redis-7.0.15.json', import.meta.url), 'utf8'),
)

describe('COMMAND INFO', () => {
  it('matches redis-server 7.0.15 exactly for GET, SET, DEL and MSET (key specs included)', async () => {
    const t = testEngine()
    for (const name of ['get', 'set', 'del', 'mset']) {
      expect(await t.resp('COMMAND', 'INFO', name), name).toBe(`*1\r\n${REDIS[name]}`)
    }
  })

  it('matches redis-server 7.0.15 exactly for the connection, server and introspection commands', async () => {
    const t = testEngine()
    const names = Object.keys(REDIS).filter((n) => !['get', 'set', 'del', 'mset'].includes(n))
    expect(names.length).toBeGreaterThan(30)
    for (const name of names) expect(await t.resp('COMMAND', 'INFO', name), name).toBe(`*1\r\n${REDIS[name]}`)
  })

  it('lists a container with its subcommands (an array), and plain commands with an empty set', async () => {
    const t = testEngine()
    const [config] = (await t.conn.call('COMMAND', 'INFO', 'config')) as Reply[][]
    expect(
      config
        .slice(0, 9)
        .map((part) => encodeReply(part).toString('latin1'))
        .join(''),
    ).toBe('$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n')
    // Redis lists subcommands in hash-table order; compare them as a set.
    const subs = (config[9] as Reply[]).map((entry) => encodeReply(entry).toString('latin1'))
    expect(new Set(subs)).toEqual(
      new Set(['get', 'set', 'resetstat', 'rewrite', 'help'].map((s) => REDIS[`config|${s}`])),
    )
    expect(await t.resp('COMMAND', 'INFO', 'echo')).toBe(`*1\r\n${REDIS.echo}`)
    expect(REDIS.echo.endsWith('*0\r\n*0\r\n*0\r\n')).toBe(true)
  })

  it('uses RESP3 sets and maps after HELLO 3', async () => {
    const t = testEngine()
    await t.conn.call('HELLO', '3')
    expect(respText(await t.conn.call('COMMAND', 'INFO', 'get'), 3)).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n' +
        '~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n' +
        '$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n' +
        '$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n',
    )
    expect(respText(await t.conn.call('COMMAND', 'INFO', 'nosuch'), 3)).toBe('*1\r\n_\r\n')
  })

  it('answers nil for unknown names and finds subcommands by full name in any case', async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'INFO', 'nosuch', 'get|x', 'config|nosuch')).toBe('*3\r\n$-1\r\n$-1\r\n$-1\r\n')
    expect(await t.resp('COMMAND', 'INFO', 'GET', 'Config|Get')).toBe(`*2\r\n${REDIS.get}${REDIS['config|get']}`)
  })

  it('without names, and bare COMMAND, describe every top-level command once', async () => {
    const t = testEngine()
    const table = t.engine.executor.table
    for (const args of [['COMMAND'], ['COMMAND', 'INFO']]) {
      const all = (await t.conn.call(...args)) as Reply[][]
      expect(all).toHaveLength(table.size)
      expect(new Set(all.map((entry) => String(entry[0])))).toEqual(new Set([...table.all()].map((s) => s.name)))
    }
    expect(await t.resp('COMMAND', 'COUNT')).toBe(`:${table.size}\r\n`)
  })
})

describe('COMMAND DOCS', () => {
  it("gives Redis's summary, since, group and complexity (argument grammars are not declared)", async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'DOCS', 'get')).toBe(
      '*2\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n' +
        '$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n',
    )
  })

  it('includes history, and nests the documented subcommands of a container', async () => {
    const t = testEngine()
    await t.conn.call('HELLO', '3')
    const docs = (await t.conn.call('COMMAND', 'DOCS', 'config')) as MapReply
    const [name, config] = docs.entries[0] as [string, MapReply]
    expect(name).toBe('config')
    const fields = new Map(config.entries as Array<[string, Reply]>)
    expect(fields.get('summary')).toBe('A container for server configuration commands')
    const subs = new Map((fields.get('subcommands') as MapReply).entries as Array<[string, MapReply]>)
    expect([...subs.keys()].sort()).toEqual([
      'config|get',
      'config|help',
      'config|resetstat',
      'config|rewrite',
      'config|set',
    ])
    expect(respText(subs.get('config|get') as Reply, 3)).toBe(
      '%5\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n' +
        '$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n' +
        '$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple pattern parameters in one call\r\n',
    )
  })

  it('shows doc flags and deprecation for deprecated commands', async () => {
    const t = testEngine()
    const text = await t.resp('COMMAND', 'DOCS', 'getset')
    expect(text).toContain('$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n')
    expect(text).toContain('$11\r\nreplaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n')
  })

  it('leaves out unknown names; without names documents every command', async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'DOCS', 'nosuch')).toBe('*0\r\n')
    const docs = (await t.conn.call('COMMAND', 'DOCS')) as MapReply
    const names = docs.entries.map(([n]) => n)
    expect(names).toContain('get')
    expect(names).toContain('config')
    expect(names).not.toContain('config|get') // nested under config
    expect(names.length).toBeLessThanOrEqual(t.engine.executor.table.size)
  })
})

describe('COMMAND LIST', () => {
  it('lists every command and subcommand by full name', async () => {
    const t = testEngine()
    const names = ((await t.conn.call('COMMAND', 'LIST')) as Buffer[]).map(String)
    expect(names).toContain('get')
    expect(names).toContain('config|get')
    expect(names).toContain('client|list')
    expect(new Set(names).size).toBe(names.length)
  })

  it('filters by ACL category (without @), by pattern (any case), and by module (none)', async () => {
    const t = testEngine()
    const list = async (...args: string[]) => ((await t.conn.call('COMMAND', 'LIST', ...args)) as Buffer[]).map(String)
    expect(new Set(await list('FILTERBY', 'pattern', 'CONF*'))).toEqual(
      new Set(['config', 'config|get', 'config|set', 'config|resetstat', 'config|rewrite', 'config|help']),
    )
    const connection = await list('filterby', 'ACLCAT', 'connection')
    expect(connection).toContain('hello')
    expect(connection).toContain('client|setname')
    expect(connection).toContain('command') // the COMMAND container is @connection itself; CLIENT's is not
    expect(connection).not.toContain('client')
    expect(connection).not.toContain('get')
    expect(await list('FILTERBY', 'aclcat', '@connection')).toEqual([])
    expect(await list('FILTERBY', 'aclcat', 'nosuch')).toEqual([])
    expect(await list('FILTERBY', 'module', 'x')).toEqual([])
  })

  it('rejects malformed filters', async () => {
    const t = testEngine()
    for (const args of [
      ['FILTERBY'],
      ['FILTERBY', 'aclcat'],
      ['FILTERBY', 'foo', 'x'],
      ['foo'],
      ['FILTERBY', 'pattern', 'x', 'y'],
    ]) {
      expect(await t.resp('COMMAND', 'LIST', ...args)).toBe('-ERR syntax error\r\n')
    }
  })
})

describe('COMMAND GETKEYS and GETKEYSANDFLAGS', () => {
  it('finds the keys of a full command', async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'GETKEYS', 'GET', 'a')).toBe('*1\r\n$1\r\na\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n')
    // As in Redis, the range rule alone decides: a value-less last key is still a key.
    expect(await t.resp('COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c')).toBe('*2\r\n$1\r\na\r\n$1\r\nc\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'del', 'x', 'y', 'z')).toBe('*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n')
  })

  it("reports the key-spec flags of each key, resolving SET's variable flags from its arguments", async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b')).toBe(
      '*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n',
    )
    expect(await t.resp('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'get')).toBe(
      '*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n',
    )
    expect(await t.resp('COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n+delete\r\n',
    )
    expect(await t.resp('COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'b', '2')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n',
    )
    await t.conn.call('HELLO', '3')
    expect(respText(await t.conn.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'GET'), 3)).toBe(
      '*1\r\n*2\r\n$1\r\na\r\n~3\r\n+RW\r\n+access\r\n+update\r\n',
    )
  })

  it("answers Redis 7.0's errors", async () => {
    const t = testEngine()
    const arity = "-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    expect(await t.resp('COMMAND', 'GETKEYS', 'get')).toBe(arity)
    expect(await t.resp('COMMAND', 'GETKEYS', 'foo', 'a')).toBe('-ERR Invalid command specified\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'config', 'foo', 'x')).toBe('-ERR Invalid command specified\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'config', 'x')).toBe('-ERR Invalid command specified\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'ping', 'a')).toBe('-ERR The command has no key arguments\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'config', 'get', 'x')).toBe('-ERR The command has no key arguments\r\n')
    expect(await t.resp('COMMAND', 'GETKEYSANDFLAGS', 'ping', 'x')).toBe('-ERR The command has no key arguments\r\n')
    expect(await t.resp('COMMAND', 'GETKEYS', 'get', 'a', 'b')).toBe(
      '-ERR Invalid number of arguments specified for command\r\n',
    )
    expect(await t.resp('COMMAND', 'GETKEYS', 'mset', 'a')).toBe(
      '-ERR Invalid number of arguments specified for command\r\n',
    )
  })
})

describe('COMMAND HELP and errors', () => {
  it("prints Redis 7.0's help", async () => {
    const t = testEngine()
    const help = await t.resp('COMMAND', 'HELP')
    expect(
      help.startsWith(
        '*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n',
      ),
    ).toBe(true)
    expect(
      help.endsWith(
        '+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n',
      ),
    ).toBe(true)
  })

  it('rejects unknown subcommands and wrong arity', async () => {
    const t = testEngine()
    expect(await t.resp('COMMAND', 'foo')).toBe("-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n")
    expect(await t.resp('COMMAND', 'COUNT', 'x')).toBe("-ERR wrong number of arguments for 'command|count' command\r\n")
  })
})
