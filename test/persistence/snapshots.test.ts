/**
 * SAVE, BGSAVE, LASTSAVE, INFO persistence, save points, MISCONF and SHUTDOWN's final save on an in-process engine,
 * with a snapshot store the test controls (when a background write finishes, whether it fails).
 */
import { describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.ts'
import { decodeSnapshot } from '../../src/persistence/rdb-file.ts'
import { MISCONF_ERROR } from '../../src/persistence/snapshots.ts'
import type { SnapshotStore } from '../../src/persistence/snapshot-store.ts'
import { testEngine } from '../helpers.ts'

/** A store whose background writes wait for `finish` and whose writes fail while `failing` is set. */
class ControlledStore implements SnapshotStore {
  bytes: Buffer | null = null
  failing = false
  writes = 0
  private pending: Array<() => void> = []

  describe(): string {
    return 'test'
  }

  read(): Buffer | null {
    return this.bytes
  }

  writeSync(chunks: Iterable<Buffer>): void {
    if (this.failing) throw new Error('No space left on device')
    this.bytes = Buffer.concat([...chunks])
    this.writes++
  }

  write(chunks: Iterable<Buffer>, abandoned: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push(() => {
        try {
          if (abandoned()) throw new Error('abandoned')
          this.writeSync(chunks)
          resolve()
        } catch (err) {
          reject(err)
        }
      })
    })
  }

  /** Completes the background writes started so far. */
  async finish(): Promise<void> {
    for (const done of this.pending.splice(0)) done()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function info(text: string, field: string): string {
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text)
  if (!m) throw new Error(`no ${field} in INFO`)
  return m[1]
}

function keysIn(bytes: Buffer | null): string[] {
  if (!bytes) return []
  const limits = { hashEntries: 128, hashValue: 64, setIntsetEntries: 512, zsetEntries: 128, zsetValue: 64 }
  const snapshot = decodeSnapshot(bytes, { limits, verifyChecksum: true, databases: 16 })
  return [...snapshot.dbs.values()].flatMap((keys) => keys.map((k) => k.key)).sort()
}

describe('SAVE and LASTSAVE', () => {
  it('write a snapshot a new engine starts from, and report it in INFO', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    t.clock.set(1_800_000_000_000)
    await t.resp('SET', 'a', '1')
    await t.resp('HSET', 'h', 'f', 'v')
    expect(info(await t.resp('INFO', 'persistence'), 'rdb_changes_since_last_save')).toBe('2')
    t.clock.set(1_800_000_005_000)
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    expect(await t.resp('LASTSAVE')).toBe(':1800000005\r\n')
    const text = await t.resp('INFO', 'persistence')
    expect(info(text, 'rdb_changes_since_last_save')).toBe('0')
    expect(info(text, 'rdb_saves')).toBe('1')
    expect(info(text, 'rdb_last_bgsave_status')).toBe('ok')
    const restarted = testEngine({ rdb: store.bytes as Buffer })
    expect(await restarted.resp('GET', 'a')).toBe('$1\r\n1\r\n')
    expect(await restarted.resp('HGET', 'h', 'f')).toBe('$1\r\nv\r\n')
    expect(info(await restarted.resp('INFO', 'persistence'), 'rdb_last_load_keys_loaded')).toBe('2')
  })

  it('answers a bare -ERR when the snapshot cannot be written, and keeps the old one', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    await t.resp('SET', 'old', '1')
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    await t.resp('SET', 'new', '1')
    store.failing = true
    expect(await t.resp('SAVE')).toBe('-ERR\r\n')
    expect(keysIn(store.bytes)).toEqual(['old'])
    expect(info(await t.resp('INFO', 'persistence'), 'rdb_changes_since_last_save')).toBe('1')
  })

  it('in-process engines keep the snapshot in memory: SAVE works without a disk', async () => {
    const engine = new Engine({ logger: () => {} })
    const t = testEngine({})
    expect(await t.resp('SET', 'k', 'v')).toBe('+OK\r\n')
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    const bytes = t.engine.snapshots.store.read()
    expect(keysIn(bytes)).toEqual(['k'])
    expect(engine.snapshots.store.describe()).toBe('memory')
  })
})

describe('BGSAVE', () => {
  it('snapshots the keyspace when it starts, whatever is written while the file is being written', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    await t.resp('SET', 'before', '1')
    await t.resp('RPUSH', 'list', 'a')
    await t.resp('SET', 'text', 'abc')
    await t.resp('APPEND', 'text', 'def')
    expect(await t.resp('BGSAVE')).toBe('+Background saving started\r\n')
    // Strings are captured by reference: changing them afterwards must not reach the file being written.
    await t.resp('APPEND', 'text', 'ghi')
    await t.resp('SETRANGE', 'text', '0', 'X')
    expect(info(await t.resp('INFO', 'persistence'), 'rdb_bgsave_in_progress')).toBe('1')
    await t.resp('SET', 'after', '1')
    await t.resp('RPUSH', 'list', 'b')
    await t.resp('DEL', 'before')
    expect(await t.resp('SAVE')).toBe('-ERR Background save already in progress\r\n')
    expect(await t.resp('BGSAVE')).toBe('-ERR Background save already in progress\r\n')
    await store.finish()
    const text = await t.resp('INFO', 'persistence')
    expect(info(text, 'rdb_bgsave_in_progress')).toBe('0')
    expect(info(text, 'rdb_last_bgsave_status')).toBe('ok')
    expect(info(text, 'rdb_saves')).toBe('1')
    // The three writes after the snapshot are still unsaved changes.
    expect(info(text, 'rdb_changes_since_last_save')).toBe('5')
    expect(keysIn(store.bytes)).toEqual(['before', 'list', 'text'])
    const restarted = testEngine({ rdb: store.bytes as Buffer })
    expect(await restarted.resp('LRANGE', 'list', '0', '-1')).toBe('*1\r\n$1\r\na\r\n')
    expect(await restarted.resp('GET', 'text')).toBe('$6\r\nabcdef\r\n')
    expect(await t.resp('BGSAVE', 'SCHEDULE')).toBe('+Background saving started\r\n')
    expect(await t.resp('BGSAVE', 'NOW')).toBe('-ERR syntax error\r\n')
  })

  it('a failed background save stops writes (and PING) with MISCONF until a save succeeds', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    await t.resp('SET', 'k', '1')
    store.failing = true
    expect(await t.resp('BGSAVE')).toBe('+Background saving started\r\n')
    await store.finish()
    expect(info(await t.resp('INFO', 'persistence'), 'rdb_last_bgsave_status')).toBe('err')
    expect(await t.resp('SET', 'k', '2')).toBe(`-${MISCONF_ERROR}\r\n`)
    expect(await t.resp('PING')).toBe(`-${MISCONF_ERROR}\r\n`)
    expect(await t.resp('GET', 'k')).toBe('$1\r\n1\r\n')
    await t.resp('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')
    expect(await t.resp('SET', 'k', '2')).toBe('+OK\r\n')
    await t.resp('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes')
    expect(await t.resp('SET', 'k', '3')).toBe(`-${MISCONF_ERROR}\r\n`)
    store.failing = false
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    expect(await t.resp('SET', 'k', '3')).toBe('+OK\r\n')
  })
})

describe('save points', () => {
  it('start a background save once enough changes are older than the period, as serverCron does', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store, config: { save: '10 2' } })
    await t.resp('SET', 'a', '1')
    t.clock.advance(20_000)
    t.engine.runCron()
    await store.finish()
    expect(store.writes).toBe(0) // one change: not enough
    await t.resp('SET', 'b', '1')
    t.engine.runCron()
    await store.finish()
    expect(keysIn(store.bytes)).toEqual(['a', 'b'])
    // Just saved: the period starts again.
    await t.resp('SET', 'c', '1')
    await t.resp('SET', 'd', '1')
    t.clock.advance(5_000)
    t.engine.runCron()
    await store.finish()
    expect(store.writes).toBe(1)
    t.clock.advance(6_000)
    t.engine.runCron()
    await store.finish()
    expect(store.writes).toBe(2)
  })

  it('are Redis defaults, and none with save ""', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store, config: { save: '' } })
    expect(await t.resp('CONFIG', 'GET', 'save')).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n')
    for (let i = 0; i < 20; i++) await t.resp('SET', `k${i}`, '1')
    t.clock.advance(10_000_000)
    t.engine.runCron()
    await store.finish()
    expect(store.writes).toBe(0)
    expect(await testEngine().resp('CONFIG', 'GET', 'save')).toBe(
      '*2\r\n$4\r\nsave\r\n$23\r\n3600 1 300 100 60 10000\r\n',
    )
  })
})

describe('SHUTDOWN', () => {
  it('saves first when save points are set or SAVE is given, and refuses to stop when that fails', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    await t.resp('SET', 'k', 'v')
    store.failing = true
    expect(await t.resp('SHUTDOWN')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n')
    store.failing = false
    const other = t.connect()
    await other.call('PING')
    await t.conn.call('SHUTDOWN')
    expect(keysIn(store.bytes)).toEqual(['k'])

    const unsaved = new ControlledStore()
    const u = testEngine({ snapshotStore: unsaved, config: { save: '' } })
    await u.resp('SET', 'k', 'v')
    await u.conn.call('SHUTDOWN')
    expect(unsaved.writes).toBe(0)
    const forced = new ControlledStore()
    const f = testEngine({ snapshotStore: forced, config: { save: '' } })
    await f.resp('SET', 'k', 'v')
    await f.conn.call('SHUTDOWN', 'SAVE')
    expect(keysIn(forced.bytes)).toEqual(['k'])
    const nosave = new ControlledStore()
    const n = testEngine({ snapshotStore: nosave })
    await n.resp('SET', 'k', 'v')
    await n.conn.call('SHUTDOWN', 'NOSAVE')
    expect(nosave.writes).toBe(0)
  })

  it('dir and dbfilename are protected configs; rdbchecksum is immutable', async () => {
    const t = testEngine()
    expect(await t.resp('CONFIG', 'SET', 'dir', '/tmp')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
    )
    expect(await t.resp('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n",
    )
    expect(await t.resp('CONFIG', 'SET', 'rdbchecksum', 'no')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'rdbchecksum') - can't set immutable config\r\n",
    )
    expect(() => new Engine({ config: { dbfilename: 'a/b.rdb' } })).toThrow(
      "dbfilename can't be a path, just a filename",
    )
  })
})

describe('function libraries', () => {
  it('are saved with the data and loaded back before it', async () => {
    const store = new ControlledStore()
    const t = testEngine({ snapshotStore: store })
    const code = "#!lua name=mylib\nredis.register_function('echo1', function(keys, args) return args[1] end)"
    expect(await t.resp('FUNCTION', 'LOAD', code)).toBe('$5\r\nmylib\r\n')
    await t.resp('SET', 'k', 'v')
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    const restarted = testEngine({ rdb: store.bytes as Buffer })
    expect(await restarted.resp('FCALL', 'echo1', '0', 'hi')).toBe('$2\r\nhi\r\n')
    expect(await restarted.resp('GET', 'k')).toBe('$1\r\nv\r\n')
  })
})
