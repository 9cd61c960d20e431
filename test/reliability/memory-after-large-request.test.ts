/**
 * Memory comes back after a very large request. What is deterministic is checked here: the short arguments of a
 * request with very many of them share a few large blocks instead of millions of small pool allocations (which leave
 * the malloc heap fragmented once freed); the parser keeps no reference to them after the command; a connection drops
 * its buffers when it closes; the reply slab grown for one huge piece is not kept; and a very large request leads to
 * a full garbage collection shortly after (an idle V8 heap is otherwise never collected). The resident memory figures
 * themselves are measured outside the tests (they depend on the machine).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { ReplyWriter, replySlabSize } from '../../src/protocol/resp-encoder.ts'
import { RespParser } from '../../src/protocol/resp-parser.ts'
import { memoryReleaseCount } from '../../src/server/memory-release.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { RawClient } from '../differential/raw-client.ts'

/** `*N` DEL key:0 ... key:N-2 as RESP, in chunks of at most 64 KB (as a socket delivers it). */
function bigRequest(args: number): Buffer[] {
  let text = `*${args}\r\n$3\r\nDEL\r\n`
  for (let i = 0; i < args - 1; i++) {
    const key = `key:${i}`
    text += `$${key.length}\r\n${key}\r\n`
  }
  const whole = Buffer.from(text, 'latin1')
  const chunks: Buffer[] = []
  for (let at = 0; at < whole.length; at += 64 * 1024) chunks.push(whole.subarray(at, at + 64 * 1024))
  return chunks
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting until ${what}`)
}

describe('the parser after a very large request', () => {
  it('puts the short arguments of a request with very many into a few shared blocks, and keeps none of them', () => {
    const parser = new RespParser()
    const args = 200_000
    let command: Buffer[] | null = null
    for (const chunk of bigRequest(args)) {
      parser.append(chunk)
      const next = parser.next()
      if (next !== null) command = next as Buffer[]
    }
    expect(command).not.toBeNull()
    expect(command!.length).toBe(args)
    expect(command![1].toString()).toBe('key:0')
    expect(command![args - 1].toString()).toBe(`key:${args - 2}`)
    // About 2.3 MB of keys: three 1 MB blocks, where small pool allocations would use hundreds of 8 KB slabs.
    const blocks = new Set(command!.slice(1).map((arg) => arg.buffer))
    expect(blocks.size).toBeLessThanOrEqual(3)
    // Nothing of the request is left in the parser: its input storage is back to its initial size.
    expect(parser.buffered).toBe(0)
    expect(parser.capacity).toBeLessThanOrEqual(16 * 1024)
    parser.releaseBuffers()
    expect(parser.capacity).toBe(0)
  })

  it('keeps giving ordinary requests their own small allocations (a stored value never pins a large block)', () => {
    const parser = new RespParser()
    const { commands } = parser.feed(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n'))
    expect(commands).toHaveLength(1)
    expect(commands[0][2].buffer.byteLength).toBeLessThan(1024 * 1024)
  })
})

describe('reply buffers', () => {
  it('does not keep a slab grown for one huge piece of a reply', () => {
    const writer = new ReplyWriter()
    writer.raw(`+${'x'.repeat(1024 * 1024)}\r\n`)
    expect(replySlabSize()).toBeGreaterThan(1024 * 1024)
    const batch = writer.take()
    expect(batch.length).toBe(1024 * 1024 + 3)
    expect(replySlabSize()).toBe(64 * 1024)
  })
})

describe('a connection and the process after a very large request', () => {
  let server: RedsimServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  it('drops the connection buffers when it closes, and runs a full collection after the request', async () => {
    server = await createServer({ port: 0, logger: memoryLogger() })
    const client = await RawClient.connect(server.port)
    const collectionsBefore = memoryReleaseCount()
    for (const chunk of bigRequest(150_000)) client.send(chunk)
    expect((await client.readReply(20_000)).toString('latin1')).toBe(':0\r\n')
    await until(() => memoryReleaseCount() > collectionsBefore, 'a full collection ran after the large request')

    const [connection] = [...server.connections]
    expect(connection.queryBufferCapacity).toBeGreaterThan(0)
    client.close()
    await until(() => server!.connections.size === 0, 'the server saw the connection close')
    expect(connection.queryBufferCapacity).toBe(0)
    expect(connection.outputBufferBytes).toBe(0)
  })
})
