/**
 * SCAN's iteration guarantees and cursor parsing, KEYS details, and the declarations of the string and key commands
 * (arity, flags, key positions, ACL categories), which must equal what redis-server 7.0.15's COMMAND INFO reports.
 */
import { describe, expect, it } from 'vitest'
import { keyCommands } from '../../src/commands/keys.ts'
import { stringCommands } from '../../src/commands/strings.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { testEngine } from '../helpers.ts'

type ScanReply = [cursor: string, keys: string[]]

function scanReply(reply: Reply): ScanReply {
  if (!Array.isArray(reply)) throw new Error(`SCAN replied ${String(reply)}`)
  const [cursor, keys] = reply
  if (!Array.isArray(keys)) throw new Error('SCAN reply without a key array')
  return [String(cursor), keys.map((k) => (k as Buffer).toString('latin1'))]
}

describe('keys: SCAN', () => {
  it('a full scan in small steps returns every key exactly once when nothing changes', async () => {
    const t = testEngine()
    for (let i = 0; i < 95; i++) await t.resp('SET', `key:${i}`, 'v')
    const seen: string[] = []
    let cursor = '0'
    let rounds = 0
    do {
      const [next, keys] = scanReply(await t.conn.call('SCAN', cursor, 'COUNT', '7'))
      expect(keys.length).toBeLessThanOrEqual(7)
      seen.push(...keys)
      cursor = next
      rounds++
    } while (cursor !== '0')
    expect(rounds).toBe(14)
    expect(seen.length).toBe(95)
    expect(new Set(seen).size).toBe(95)
  })

  it('keys present for the whole scan are returned even while others come and go', async () => {
    const t = testEngine()
    for (let i = 0; i < 60; i++) await t.resp('SET', `stable:${i}`, 'v')
    for (let i = 0; i < 60; i++) await t.resp('SET', `churn:${i}`, 'v')
    const seen = new Set<string>()
    let cursor = '0'
    let step = 0
    do {
      const [next, keys] = scanReply(await t.conn.call('SCAN', cursor, 'COUNT', '5'))
      for (const k of keys) seen.add(k)
      // Between calls: delete churn keys, add new ones, and overwrite a stable key.
      await t.resp('DEL', `churn:${step}`, `churn:${59 - step}`)
      await t.resp('SET', `new:${step}`, 'v')
      await t.resp('SET', `stable:${step}`, 'w')
      cursor = next
      step++
    } while (cursor !== '0')
    for (let i = 0; i < 60; i++) expect(seen.has(`stable:${i}`), `stable:${i}`).toBe(true)
  })

  it('MATCH and TYPE filter after the step, so a step may return fewer keys than COUNT, even none', async () => {
    const t = testEngine()
    for (let i = 0; i < 10; i++) await t.resp('SET', `a${i}`, 'v')
    await t.resp('SET', 'b', 'v')
    const [cursor, keys] = scanReply(await t.conn.call('SCAN', '0', 'COUNT', '5', 'MATCH', 'b'))
    expect(keys).toEqual([])
    expect(cursor).not.toBe('0')
    const [, rest] = scanReply(await t.conn.call('SCAN', cursor, 'COUNT', '100', 'MATCH', 'b', 'TYPE', 'STRING'))
    expect(rest).toEqual(['b'])
  })

  it('cursors are read like strtoul: sign, NUL end and empty are accepted', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'v')
    const all = '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
    expect(await t.resp('SCAN', '')).toBe(all)
    expect(await t.resp('SCAN', '+0')).toBe(all)
    expect(await t.resp('SCAN', '-0')).toBe(all)
    expect(await t.resp('SCAN', Buffer.from('0\0junk', 'latin1'))).toBe(all)
    expect(await t.resp('SCAN', '18446744073709551615')).toBe('*2\r\n$1\r\n0\r\n*0\r\n')
    expect(await t.resp('SCAN', '-1')).toBe('*2\r\n$1\r\n0\r\n*0\r\n')
    expect(await t.resp('SCAN', '18446744073709551616')).toBe('-ERR invalid cursor\r\n')
    expect(await t.resp('SCAN', '\t0')).toBe('-ERR invalid cursor\r\n')
    expect(await t.resp('SCAN', '0x1')).toBe('-ERR invalid cursor\r\n')
  })

  it('an empty database scans to cursor 0 at once', async () => {
    const t = testEngine()
    expect(await t.resp('SCAN', '0', 'COUNT', '1')).toBe('*2\r\n$1\r\n0\r\n*0\r\n')
  })
})

describe('keys: KEYS', () => {
  it('a lone "*" lists every key, including the empty name; binary keys come back byte for byte', async () => {
    const t = testEngine()
    await t.resp('SET', '', 'empty name')
    await t.conn.call('SET', Buffer.from([0x00, 0xff, 0x0d, 0x0a]), 'v')
    const reply = await t.conn.call('KEYS', '*')
    expect(Array.isArray(reply) && reply.map((k) => (k as Buffer).toString('hex')).sort()).toEqual(['', '00ff0d0a'])
    expect(await t.resp('KEYS', '**')).toBe('*1\r\n$4\r\n\x00\xff\r\n\r\n')
  })

  it('KEYS and SCAN read the selected database only', async () => {
    const t = testEngine()
    await t.resp('SET', 'zero', 'v')
    await t.resp('SELECT', '1')
    await t.resp('SET', 'one', 'v')
    expect(await t.resp('KEYS', '*')).toBe('*1\r\n$3\r\none\r\n')
    expect(await t.resp('SCAN', '0')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$3\r\none\r\n')
  })
})

/** [name, arity, flags, [first, last, step], ACL categories] from COMMAND INFO of redis-server 7.0.15. */
const REDIS_COMMAND_INFO: Array<[string, number, string[], [number, number, number], string[]]> = [
  ['get', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast']],
  ['set', -3, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
  ['setnx', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['setex', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
  ['psetex', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
  ['getset', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['getdel', 2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['getex', -2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['mget', -2, ['readonly', 'fast'], [1, -1, 1], ['read', 'string', 'fast']],
  ['mset', -3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow']],
  ['msetnx', -3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow']],
  ['strlen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast']],
  ['append', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['getrange', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow']],
  ['substr', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow']],
  ['setrange', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
  ['incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['incrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['decrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['incrbyfloat', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
  ['lcs', -3, ['readonly'], [1, 2, 1], ['read', 'string', 'slow']],
  ['del', -2, ['write'], [1, -1, 1], ['keyspace', 'write', 'slow']],
  ['unlink', -2, ['write', 'fast'], [1, -1, 1], ['keyspace', 'write', 'fast']],
  ['exists', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast']],
  ['touch', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast']],
  ['type', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast']],
  ['ttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast']],
  ['pttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast']],
  ['expiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast']],
  ['pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast']],
  ['expire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
  ['pexpire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
  ['expireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
  ['pexpireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
  ['persist', 2, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
  ['keys', 2, ['readonly'], [0, 0, 0], ['keyspace', 'read', 'slow', 'dangerous']],
  ['scan', -2, ['readonly'], [0, 0, 0], ['keyspace', 'read', 'slow']],
  ['randomkey', 1, ['readonly'], [0, 0, 0], ['keyspace', 'read', 'slow']],
  ['rename', 3, ['write'], [1, 2, 1], ['keyspace', 'write', 'slow']],
  ['renamenx', 3, ['write', 'fast'], [1, 2, 1], ['keyspace', 'write', 'fast']],
  ['copy', -3, ['write', 'denyoom'], [1, 2, 1], ['keyspace', 'write', 'slow']],
  ['move', 3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast']],
]

describe('string and key command declarations', () => {
  const declared = new Map([...stringCommands, ...keyCommands].map((spec) => [spec.name, spec]))

  it('declare exactly the commands of this area', () => {
    expect([...declared.keys()].sort()).toEqual(REDIS_COMMAND_INFO.map(([name]) => name).sort())
  })

  it.each(REDIS_COMMAND_INFO)('%s matches COMMAND INFO', (name, arity, flags, keys, categories) => {
    const spec = declared.get(name)
    expect(spec).toBeDefined()
    if (!spec) return
    expect(spec.arity).toBe(arity)
    expect([...spec.flags]).toEqual(flags)
    expect([spec.firstKey, spec.lastKey, spec.step]).toEqual(keys)
    expect([...spec.categories]).toEqual(categories)
  })
})
