/**
 * APPEND and SETRANGE never change bytes of a Buffer already handed out (a queued GET reply, a value shared by COPY),
 * while APPEND still grows in place, amortized O(1) per byte (string-growth.ts).
 */
import { describe, expect, it } from 'vitest'
import { extendString, overwriteString } from '../../src/commands/string-growth.ts'
import { testEngine } from '../helpers.ts'

async function getBuffer(t: ReturnType<typeof testEngine>, key: string): Promise<Buffer> {
  const reply = await t.conn.call('GET', key)
  if (!Buffer.isBuffer(reply)) throw new Error(`GET ${key} did not return a bulk string`)
  return reply
}

describe('strings: growth without mutation', () => {
  it('a GET reply is unaffected by later APPENDs and SETRANGEs to the same key', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'abc')
    const first = await getBuffer(t, 'k')
    await t.resp('APPEND', 'k', 'def')
    const second = await getBuffer(t, 'k')
    await t.resp('APPEND', 'k', 'ghi')
    await t.resp('SETRANGE', 'k', '0', 'XY')
    await t.resp('SETRANGE', 'k', '12', '!')
    expect(first.toString()).toBe('abc')
    expect(second.toString()).toBe('abcdef')
    expect((await getBuffer(t, 'k')).toString()).toBe('XYcdefghi\0\0\0!')
  })

  it('a GETRANGE view is unaffected by a later SETRANGE over the same bytes', async () => {
    const t = testEngine()
    await t.resp('SET', 'k', 'hello world')
    await t.resp('APPEND', 'k', '!')
    const view = await t.conn.call('GETRANGE', 'k', '0', '4')
    await t.resp('SETRANGE', 'k', '0', 'HELLO')
    expect(String(view)).toBe('hello')
    expect(await t.resp('GET', 'k')).toBe('$12\r\nHELLO world!\r\n')
  })

  it('repeated APPENDs grow inside one backing store instead of copying every time', async () => {
    const t = testEngine()
    await t.resp('APPEND', 'k', 'start')
    await t.resp('APPEND', 'k', '-1')
    const stores = new Set<ArrayBufferLike>()
    for (let i = 0; i < 50; i++) {
      await t.resp('APPEND', 'k', 'xx')
      stores.add((await getBuffer(t, 'k')).buffer)
    }
    // Capacity doubles: growing from 7 to 107 bytes goes through stores of 14, 30, 62 and 126 bytes, not 50 copies.
    expect(stores.size).toBe(4)
    expect((await getBuffer(t, 'k')).toString()).toBe(`start-1${'xx'.repeat(50)}`)
  })

  it('COPY shares the value; APPEND to either copy leaves the other intact', async () => {
    const t = testEngine()
    await t.resp('SET', 'a', 'base')
    await t.resp('APPEND', 'a', '+')
    await t.resp('COPY', 'a', 'b')
    await t.resp('APPEND', 'a', 'AAA')
    await t.resp('APPEND', 'b', 'BB')
    await t.resp('APPEND', 'a', 'a')
    await t.resp('APPEND', 'b', 'b')
    expect(await t.resp('MGET', 'a', 'b')).toBe('*2\r\n$9\r\nbase+AAAa\r\n$8\r\nbase+BBb\r\n')
  })

  it('a value stored back from a reply keeps both keys independent', async () => {
    const t = testEngine()
    await t.resp('APPEND', 'a', 'one')
    await t.resp('APPEND', 'a', 'two')
    await t.conn.call('SET', 'b', await getBuffer(t, 'a'))
    await t.resp('APPEND', 'b', '-b')
    await t.resp('APPEND', 'a', '-a')
    expect(await t.resp('MGET', 'a', 'b')).toBe('*2\r\n$8\r\nonetwo-a\r\n$8\r\nonetwo-b\r\n')
  })

  it('extendString zero-fills the gap and never writes into a Buffer it did not allocate', () => {
    const pool = Buffer.from('abcdefgh')
    const head = pool.subarray(0, 3)
    const grown = extendString(head, 2, Buffer.from('Z'))
    expect(grown.toString('latin1')).toBe('abc\0\0Z')
    expect(pool.toString()).toBe('abcdefgh')
  })

  it('overwriteString copies: the original is untouched', () => {
    const original = Buffer.from('hello')
    const next = overwriteString(original, 3, Buffer.from('PING'))
    expect(next.toString()).toBe('helPING')
    expect(original.toString()).toBe('hello')
  })
})

describe('strings: limits, replies and watchers', () => {
  it('APPEND and SETRANGE stop at proto-max-bulk-len', async () => {
    const t = testEngine({ config: { 'proto-max-bulk-len': String(1024 * 1024) } })
    const limit = 1024 * 1024
    await t.conn.call('SET', 'k', Buffer.alloc(limit - 2, 0x61))
    expect(await t.resp('APPEND', 'k', 'bc')).toBe(`:${limit}\r\n`)
    expect(await t.resp('APPEND', 'k', 'd')).toBe('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n')
    expect(await t.resp('STRLEN', 'k')).toBe(`:${limit}\r\n`)
    expect(await t.resp('SETRANGE', 'k', String(limit - 1), 'z')).toBe(`:${limit}\r\n`)
    expect(await t.resp('SETRANGE', 'k', String(limit), 'z')).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    )
    expect(await t.resp('SETRANGE', 'new', String(limit), 'z')).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    )
    expect(await t.resp('EXISTS', 'new')).toBe(':0\r\n')
  })

  it('integer replies beyond 2^53 come back as exact bigints', async () => {
    const t = testEngine()
    await t.resp('SET', 'n', '9223372036854775806')
    expect(await t.conn.call('INCR', 'n')).toBe(9223372036854775807n)
    expect(await t.conn.call('DECRBY', 'n', '9223372036854775807')).toBe(0)
    expect(await t.conn.call('INCRBY', 'n', '9007199254740993')).toBe(9007199254740993n)
  })

  it('APPEND of an empty string touches watchers; SETRANGE of an empty string does not (as in Redis)', async () => {
    const t = testEngine()
    const other = t.connect()
    await t.resp('SET', 'k', 'v')
    await t.resp('WATCH', 'k')
    await other.call('SETRANGE', 'k', '0', '')
    await t.resp('MULTI')
    await t.resp('PING')
    expect(await t.resp('EXEC')).toBe('*1\r\n+PONG\r\n')
    await t.resp('WATCH', 'k')
    await other.call('APPEND', 'k', '')
    await t.resp('MULTI')
    await t.resp('PING')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
  })
})
