/**
 * INFO: section selection and order, the line format, and the figures redsim keeps. The shape follows
 * redis-server 7.0.15 (`# Section\r\nfield:value\r\n`, sections joined by an empty line).
 */
import { describe, expect, it } from 'vitest'
import { bytesToHuman, fixed2, infoText } from '../../src/commands/info.ts'
import { respText, testEngine } from '../helpers.ts'

function titles(text: string): string[] {
  return [...text.matchAll(/^# (\w+)\r$/gm)].map((m) => m[1])
}

/** field -> value of an INFO text. */
function fields(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) out.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return out
}

async function info(t: ReturnType<typeof testEngine>, ...sections: string[]): Promise<string> {
  const reply = await t.conn.call('INFO', ...sections)
  const text = respText(reply)
  return text.slice(text.indexOf('\r\n') + 2, -2)
}

const DEFAULT = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats']

describe('INFO sections', () => {
  it('gives the default sections in Redis order, each ending in CRLF, separated by an empty line', async () => {
    const t = testEngine()
    const text = await info(t)
    expect(titles(text)).toEqual([...DEFAULT, 'Cluster', 'Keyspace'])
    expect(titles(await info(t, 'default'))).toEqual(titles(text))
    expect(text.startsWith('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n')).toBe(true)
    expect(text).toContain('\r\n\r\n# Clients\r\nconnected_clients:1\r\n')
    expect(text).toContain('# Modules\r\n\r\n# Errorstats\r\n')
    expect(text.endsWith('# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n')).toBe(true)
  })

  it('adds commandstats and latencystats for all and everything', async () => {
    const t = testEngine()
    const all = [...DEFAULT.slice(0, 8), 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace']
    expect(titles(await info(t, 'all'))).toEqual(all)
    expect(titles(await info(t, 'EVERYTHING'))).toEqual(all)
  })

  it('prints requested sections in Redis order whatever the argument order, ignoring unknown names', async () => {
    const t = testEngine()
    expect(await info(t, 'keyspace', 'CLUSTER', 'nosuch')).toBe('# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n')
    expect(await t.resp('INFO', 'nosuch')).toBe('$0\r\n\r\n')
    expect(await t.resp('INFO', 'modules')).toBe('$11\r\n# Modules\r\n\r\n')
  })

  it('is a verbatim txt string in RESP3', async () => {
    const t = testEngine()
    await t.conn.call('HELLO', '3')
    expect(respText(await t.conn.call('INFO', 'cluster'), 3)).toBe('=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n')
  })
})

describe('INFO figures', () => {
  it('server: version, port, uptime and times from the injected clock, a stable run id', async () => {
    const t = testEngine({ config: { port: '7777', hz: '25' } })
    t.clock.advance(90_061_000) // 1 day, 1 hour, 1 minute, 1 second
    const f = fields(await info(t, 'server'))
    expect(f.get('redis_version')).toBe('7.0.15')
    expect(f.get('redis_mode')).toBe('standalone')
    expect(f.get('tcp_port')).toBe('7777')
    expect(f.get('uptime_in_seconds')).toBe('90061')
    expect(f.get('uptime_in_days')).toBe('1')
    expect(f.get('hz')).toBe('25')
    expect(f.get('server_time_usec')).toBe(String(t.clock.nowMicros()))
    expect(f.get('lru_clock')).toBe(String(Math.floor(t.clock.now() / 1000) & 0xffffff))
    expect(f.get('run_id')).toMatch(/^[0-9a-f]{40}$/)
    expect(fields(await info(t, 'server')).get('run_id')).toBe(f.get('run_id'))
  })

  it('clients and stats: connections, commands, keyspace hits and misses, expired keys, errors', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('SET', 'k', 'v')
    await t.resp('GET', 'k')
    await t.resp('GET', 'nope')
    await t.resp('SET', 'e', 'v')
    t.engine.direct((keyspace) => keyspace.db(0).setExpire('e', t.clock.now() + 10))
    t.clock.advance(20)
    await t.resp('GET', 'e')
    await t.resp('NOSUCHCOMMAND')
    await other.call('SELECT', 'x')
    other.close()
    expect(fields(await info(t, 'clients')).get('connected_clients')).toBe('1')
    const f = fields(await info(t, 'stats'))
    expect(f.get('total_connections_received')).toBe('2')
    // SET, GET, GET, SET, GET, SELECT and INFO clients (the unknown command never ran; this INFO counts once done).
    expect(f.get('total_commands_processed')).toBe('7')
    expect(f.get('keyspace_hits')).toBe('1')
    expect(f.get('keyspace_misses')).toBe('2')
    expect(f.get('expired_keys')).toBe('1')
    expect(f.get('total_error_replies')).toBe('2')
  })

  it('commandstats and errorstats in Redis line format', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    await t.resp('GET', 'k')
    await t.resp('GET', 'k')
    await t.resp('SELECT', 'x')
    await t.resp('HELLO', '9')
    await t.resp('AUTH', 'nobody', 'pw')
    await t.resp('CLIENT', 'GETNAME')
    expect(await info(t, 'commandstats')).toBe(
      '# Commandstats\r\n' +
        'cmdstat_set:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n' +
        'cmdstat_get:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n' +
        'cmdstat_select:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n' +
        'cmdstat_hello:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n' +
        'cmdstat_auth:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n' +
        'cmdstat_client|getname:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n',
    )
    expect(await info(t, 'errorstats')).toBe(
      '# Errorstats\r\nerrorstat_ERR:count=1\r\nerrorstat_NOPROTO:count=1\r\nerrorstat_WRONGPASS:count=1\r\n',
    )
  })

  it('keyspace: keys, keys with a TTL and their average remaining TTL per non-empty database', async () => {
    const t = testEngine()
    const db0 = t.engine.keyspace.db(0)
    for (const key of ['a', 'b', 'c']) await t.resp('SET', key, '1')
    t.engine.direct(() => {
      db0.setExpire('a', t.clock.now() + 100_000)
      db0.setExpire('b', t.clock.now() + 200_000)
    })
    await t.resp('SELECT', '2')
    await t.resp('SET', 'x', 'y')
    t.clock.advance(50_000)
    expect(await info(t, 'keyspace')).toBe(
      '# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=100000\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n',
    )
  })

  it('memory, replication, persistence and cpu carry the fields clients read', async () => {
    const t = testEngine({ config: { maxmemory: '1mb', 'maxmemory-policy': 'allkeys-lru' } })
    const memory = fields(await info(t, 'memory'))
    expect(Number(memory.get('used_memory'))).toBeGreaterThan(0)
    expect(memory.get('used_memory_human')).toMatch(/^\d+(\.\d\d[KMGTP])?B?$/)
    expect(memory.get('maxmemory')).toBe('1048576')
    expect(memory.get('maxmemory_human')).toBe('1.00M')
    expect(memory.get('maxmemory_policy')).toBe('allkeys-lru')
    const replication = fields(await info(t, 'replication'))
    expect(replication.get('role')).toBe('master')
    expect(replication.get('connected_slaves')).toBe('0')
    expect(replication.get('master_replid')).toMatch(/^[0-9a-f]{40}$/)
    const persistence = fields(await info(t, 'persistence'))
    expect(persistence.get('loading')).toBe('0')
    expect(persistence.get('rdb_last_save_time')).toBe(String(Math.floor(t.clock.now() / 1000)))
    expect(persistence.get('aof_enabled')).toBe('0')
    expect(fields(await info(t, 'cpu')).get('used_cpu_sys')).toBe('0.000000')
  })

  it('infoText can be used without a connection', () => {
    const t = testEngine()
    expect(infoText(t.engine, ['cluster'])).toBe('# Cluster\r\ncluster_enabled:0\r\n')
  })
})

describe('number formatting', () => {
  it("fixed2 is C's %.2f, rounding exact halves to even", () => {
    expect(fixed2(0)).toBe('0.00')
    expect(fixed2(1.125)).toBe('1.12')
    expect(fixed2(1.375)).toBe('1.38')
    expect(fixed2(2.5)).toBe('2.50')
    expect(fixed2(1000 / 3)).toBe('333.33')
    expect(fixed2(2 / 3)).toBe('0.67')
  })

  it("bytesToHuman is Redis's", () => {
    expect(bytesToHuman(0)).toBe('0B')
    expect(bytesToHuman(1023)).toBe('1023B')
    expect(bytesToHuman(1024)).toBe('1.00K')
    expect(bytesToHuman(1510048)).toBe('1.44M')
    expect(bytesToHuman(25276514304)).toBe('23.54G')
    expect(bytesToHuman(1024 + 128)).toBe('1.12K')
  })
})

describe('INFO memory and the script cache', () => {
  it('counts cached scripts, as Redis does, and reading INFO does not load the scripting state', async () => {
    const t = testEngine()
    expect(await info(t, 'memory')).toMatch(/number_of_cached_scripts:0\r\n/)
    await t.resp('SCRIPT', 'LOAD', 'return 1')
    await t.resp('SCRIPT', 'LOAD', 'return 2')
    expect(await info(t, 'memory')).toMatch(/number_of_cached_scripts:2\r\n/)
  })
})
