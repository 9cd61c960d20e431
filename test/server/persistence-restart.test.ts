/**
 * Persistence as a user sees it, with redsim as its own process: what SAVE wrote is back after kill -9 and a restart;
 * SIGTERM saves when save points are set; a file that is truncated, corrupt or not an RDB file stops startup with
 * Redis's message instead of serving half the data; and a process killed during BGSAVE leaves the previous snapshot
 * (or the new one, whole) but never a torn file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RawClient } from '../differential/raw-client.ts'
import { type ServerProcess, startServerProcess } from '../reliability/server-process.ts'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redsim-persist-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function withClient<T>(server: ServerProcess, use: (c: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.connect(server.port)
  try {
    return await use(client)
  } finally {
    client.close()
  }
}

/** Starting must fail: resolves with what the process wrote before exiting. */
async function failedStart(dir: string): Promise<string> {
  try {
    const server = await startServerProcess(['--dir', dir])
    await server.stop()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('the server started')
}

// Each case starts redsim processes, several seconds apiece on a loaded machine.
describe('snapshots across restarts', { timeout: 120_000 }, () => {
  it('SET a 1; SAVE; kill -9; restart: a is back', async () => {
    const dir = tempDir()
    const first = await startServerProcess(['--dir', dir])
    await withClient(first, async (c) => {
      expect(await c.call('SET', 'a', '1')).toBe('+OK\r\n')
      expect(await c.call('SADD', 's', 'x', 'y')).toBe(':2\r\n')
      expect(await c.call('SAVE')).toBe('+OK\r\n')
    })
    first.child.kill('SIGKILL')
    await first.exited()
    expect(readdirSync(dir)).toEqual(['dump.rdb'])
    const second = await startServerProcess(['--dir', dir])
    try {
      expect(second.stderr()).toContain('Done loading RDB, keys loaded: 2, keys expired: 0.')
      await withClient(second, async (c) => {
        expect(await c.call('GET', 'a')).toBe('$1\r\n1\r\n')
        expect(await c.call('SCARD', 's')).toBe(':2\r\n')
      })
    } finally {
      await second.stop()
    }
  })

  it('SIGTERM saves when save points are set, and not with save ""', async () => {
    const dir = tempDir()
    const server = await startServerProcess(['--dir', dir])
    await withClient(server, async (c) => {
      await c.call('SET', 'k', 'v')
    })
    server.child.kill('SIGTERM')
    expect(await server.exited()).toBe(0)
    expect(server.stderr()).toContain('Saving the final RDB snapshot before exiting.')
    expect(readFileSync(join(dir, 'dump.rdb')).toString('latin1', 0, 9)).toBe('REDIS0010')

    const empty = tempDir()
    const unsaved = await startServerProcess(['--dir', empty, '--save', ''])
    await withClient(unsaved, async (c) => {
      await c.call('SET', 'k', 'v')
    })
    unsaved.child.kill('SIGTERM')
    await unsaved.exited()
    expect(readdirSync(empty)).toEqual([])
  })

  it('refuses to start on a truncated, corrupt or foreign file, with Redis messages', async () => {
    const dir = tempDir()
    const server = await startServerProcess(['--dir', dir])
    await withClient(server, async (c) => {
      await c.call('SET', 'long', 'x'.repeat(1000))
      await c.call('SET', 'other', 'y')
      await c.call('SAVE')
    })
    await server.stop()
    const good = readFileSync(join(dir, 'dump.rdb'))
    writeFileSync(join(dir, 'dump.rdb'), good.subarray(0, good.length - 30))
    const truncated = await failedStart(dir)
    expect(truncated).toContain('Short read or OOM loading DB. Unrecoverable error, aborting now.')
    expect(truncated).toContain('Terminating server after rdb file reading failure.')
    expect(truncated).not.toContain('ready to accept connections')
    const damaged = Buffer.from(good)
    damaged[good.length - 12] ^= 0xff
    writeFileSync(join(dir, 'dump.rdb'), damaged)
    expect(await failedStart(dir)).toMatch(/Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\)/)
    writeFileSync(join(dir, 'dump.rdb'), 'not an rdb file at all')
    const foreign = await failedStart(dir)
    expect(foreign).toContain('Wrong signature trying to load DB from file')
    expect(foreign).toContain('Fatal error loading the DB: Invalid argument. Exiting.')
  })

  it('kill -9 during BGSAVE leaves a whole snapshot: the previous one or the new one, never a torn file', async () => {
    const dir = tempDir()
    const server = await startServerProcess(['--dir', dir, '--save', ''])
    const values = 'v'.repeat(100)
    await withClient(server, async (c) => {
      // Enough data that writing the file takes a while: about 12 MB.
      for (let batch = 0; batch < 10; batch++) {
        const args: string[] = ['MSET']
        for (let i = 0; i < 10_000; i++) args.push(`key:${batch}:${i}`, `${batch}:${i}:${values}`)
        await c.call(...args)
      }
      await c.call('SET', 'generation', 'old')
      expect(await c.call('SAVE')).toBe('+OK\r\n')
      await c.call('SET', 'generation', 'new')
      await c.call('SET', 'only-in-new', '1')
      expect(await c.call('BGSAVE')).toBe('+Background saving started\r\n')
    })
    server.child.kill('SIGKILL')
    await server.exited()
    const restarted = await startServerProcess(['--dir', dir])
    try {
      await withClient(restarted, async (c) => {
        const generation = await c.call('GET', 'generation')
        expect(['$3\r\nold\r\n', '$3\r\nnew\r\n']).toContain(generation)
        // Whichever it is, it is whole: every key of that generation and nothing of the other.
        expect(await c.call('DBSIZE')).toBe(generation === '$3\r\nold\r\n' ? ':100001\r\n' : ':100002\r\n')
        expect(await c.call('GET', 'key:9:9999')).toBe(`$${`9:9999:${values}`.length}\r\n9:9999:${values}\r\n`)
      })
    } finally {
      await restarted.stop()
    }
  })
})
