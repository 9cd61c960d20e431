/**
 * A multi-key write is all or nothing: everything that can fail is checked before the first write. The one write
 * that can fail on its own is storing a key that is not there yet (a table that cannot take one more key); these
 * tests give the database a table with a test-only capacity that throws on exactly that insertion, and check that
 * each command either fails leaving every key as it was, or, when it needs no new key (it overwrites), succeeds with
 * the same reply and the same data as on an unlimited table.
 */
import { describe, expect, it } from 'vitest'
import { KeyTable } from '../../src/keyspace/key-table.ts'
import type { RedisValue } from '../../src/keyspace/values.ts'
import { type Reply, ReplyError } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { respText, testEngine } from '../helpers.ts'

const SETUP: string[][] = [
  ['SET', 'existing', 'old'],
  ['SET', 'src:str', 'hello'],
  ['PEXPIRE', 'src:str', '100000'],
  ['SET', 'dst:str', 'before'],
  ['SADD', 'src:set', 'a', 'b', 'c'],
  ['SADD', 'other:set', 'b', 'c', 'd'],
  ['SADD', 'dst:set', 'q'],
  ['RPUSH', 'src:list', 'x', 'z', 'y'],
  ['RPUSH', 'dst:list', 'w'],
  ['ZADD', 'src:z', '1', 'a', '2', 'b'],
  ['ZADD', 'other:z', '2', 'b', '3', 'c'],
  ['ZADD', 'dst:z', '9', 'q'],
  ['SET', 'bits1', '\xff'],
  ['SET', 'bits2', '\x0f'],
  ['PFADD', 'hll1', 'a', 'b', 'c'],
  ['PFADD', 'dst:hll', 'x'],
]

/**
 * [command, new keys the table may still take]. `fails`: the command needs more new keys than that, so it must fail
 * and change nothing; otherwise it must succeed exactly as on an unlimited table.
 */
const CASES: Array<{ argv: string[]; room: number; fails: boolean }> = [
  { argv: ['MSET', 'existing', 'new', 'brandnew', 'y'], room: 0, fails: true },
  { argv: ['MSET', 'n1', 'a', 'n2', 'b'], room: 1, fails: true },
  { argv: ['MSET', 'existing', 'new', 'dst:str', 'y'], room: 0, fails: false },
  { argv: ['MSETNX', 'n1', 'a', 'n2', 'b'], room: 1, fails: true },
  { argv: ['RENAME', 'src:str', 'dst:str'], room: 0, fails: false },
  { argv: ['RENAME', 'src:str', 'newname'], room: 0, fails: true },
  { argv: ['RENAMENX', 'src:str', 'newname'], room: 0, fails: true },
  { argv: ['COPY', 'src:set', 'dst:set', 'REPLACE'], room: 0, fails: false },
  { argv: ['COPY', 'src:set', 'newcopy'], room: 0, fails: true },
  { argv: ['SMOVE', 'src:set', 'newset', 'a'], room: 0, fails: true },
  { argv: ['SMOVE', 'src:set', 'dst:set', 'a'], room: 0, fails: false },
  { argv: ['LMOVE', 'src:list', 'newlist', 'LEFT', 'RIGHT'], room: 0, fails: true },
  { argv: ['LMOVE', 'src:list', 'dst:list', 'LEFT', 'RIGHT'], room: 0, fails: false },
  { argv: ['RPOPLPUSH', 'src:list', 'newlist'], room: 0, fails: true },
  { argv: ['BLMOVE', 'src:list', 'newlist', 'RIGHT', 'LEFT', '0'], room: 0, fails: true },
  { argv: ['BRPOPLPUSH', 'src:list', 'newlist', '0'], room: 0, fails: true },
  { argv: ['SINTERSTORE', 'dst:set', 'src:set', 'other:set'], room: 0, fails: false },
  { argv: ['SINTERSTORE', 'dst:set', 'src:set', 'nosuch'], room: 0, fails: false },
  { argv: ['SUNIONSTORE', 'newset', 'src:set', 'other:set'], room: 0, fails: true },
  { argv: ['SDIFFSTORE', 'dst:set', 'src:set', 'other:set'], room: 0, fails: false },
  { argv: ['ZUNIONSTORE', 'dst:z', '2', 'src:z', 'other:z'], room: 0, fails: false },
  { argv: ['ZINTERSTORE', 'newz', '2', 'src:z', 'other:z'], room: 0, fails: true },
  { argv: ['ZDIFFSTORE', 'dst:z', '2', 'src:z', 'other:z'], room: 0, fails: false },
  { argv: ['ZRANGESTORE', 'dst:z', 'src:z', '0', '-1'], room: 0, fails: false },
  { argv: ['ZRANGESTORE', 'newz', 'src:z', '0', '-1'], room: 0, fails: true },
  { argv: ['SORT', 'src:list', 'ALPHA', 'STORE', 'dst:list'], room: 0, fails: false },
  { argv: ['SORT', 'src:list', 'ALPHA', 'STORE', 'newlist'], room: 0, fails: true },
  { argv: ['BITOP', 'OR', 'dst:str', 'bits1', 'bits2'], room: 0, fails: false },
  { argv: ['BITOP', 'AND', 'newbits', 'bits1', 'bits2'], room: 0, fails: true },
  { argv: ['PFMERGE', 'dst:hll', 'hll1'], room: 0, fails: false },
  { argv: ['PFMERGE', 'newhll', 'hll1'], room: 0, fails: true },
]

/** Database 1 holds nothing and may take no key: the cross-database forms must fail whole. */
const CROSS_DB_CASES: string[][] = [
  ['MOVE', 'src:str', '1'],
  ['COPY', 'src:str', 'copied', 'DB', '1'],
]

/** Every key of databases 0 and 1 with its type, contents and TTL, as the commands read them. */
async function snapshot(conn: LocalConnection): Promise<string[]> {
  const out: string[] = []
  for (const db of ['0', '1']) {
    await conn.call('SELECT', db)
    const keys = ((await conn.call('KEYS', '*')) as Buffer[]).map((k) => k.toString('latin1')).sort()
    for (const key of keys) {
      const type = ((await conn.call('TYPE', key)) as { value?: string }).value ?? ''
      const read: Record<string, string[]> = {
        string: ['GET', key],
        list: ['LRANGE', key, '0', '-1'],
        set: ['SORT', key, 'ALPHA'],
        hash: ['HGETALL', key],
        zset: ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
      }
      const contents = respText(await conn.call(...read[type]))
      out.push(`${db} ${key} ${type} ${contents} ttl=${respText(await conn.call('PTTL', key))}`)
    }
  }
  await conn.call('SELECT', '0')
  return out
}

/** An engine with the setup applied; `room` caps database 0's table at its size plus that, database 1's at 0. */
async function prepared(room: number | null) {
  const t = testEngine()
  for (const argv of SETUP) {
    const reply = await t.conn.call(...argv)
    if (reply instanceof ReplyError) throw new Error(`setup failed: ${argv.join(' ')}: ${reply.message}`)
  }
  if (room !== null) {
    const [db0, db1] = t.engine.keyspace.dbs
    const capped = new KeyTable<RedisValue>({ capacity: db0.table.size + room })
    for (const [key, value] of db0.table) capped.set(key, value)
    db0.table = capped
    db1.table = new KeyTable<RedisValue>({ capacity: 0 })
  }
  return t
}

async function run(room: number | null, argv: string[]): Promise<{ reply: Reply; before: string[]; after: string[] }> {
  const t = await prepared(room)
  const observer = t.connect()
  const before = await snapshot(observer)
  const reply = await t.conn.call(...argv)
  return { reply, before, after: await snapshot(observer) }
}

describe('multi-key writes are all or nothing', () => {
  for (const { argv, room, fails } of CASES) {
    it(`${argv.join(' ')} (room for ${room} new key${room === 1 ? '' : 's'})`, async () => {
      const capped = await run(room, argv)
      if (fails) {
        expect(capped.reply).toBeInstanceOf(ReplyError)
        expect((capped.reply as ReplyError).message).toMatch(/^ERR internal error/)
        expect(capped.after).toEqual(capped.before)
      } else {
        const reference = await run(null, argv)
        expect(reference.after).not.toEqual(reference.before)
        expect(respText(capped.reply)).toBe(respText(reference.reply))
        expect(capped.after).toEqual(reference.after)
      }
    })
  }

  for (const argv of CROSS_DB_CASES) {
    it(`${argv.join(' ')} (the target database takes no new key)`, async () => {
      const capped = await run(0, argv)
      expect(capped.reply).toBeInstanceOf(ReplyError)
      expect(capped.after).toEqual(capped.before)
      // On an unlimited table the same command does move or copy the key.
      const reference = await run(null, argv)
      expect(respText(reference.reply)).toBe(':1\r\n')
    })
  }
})
