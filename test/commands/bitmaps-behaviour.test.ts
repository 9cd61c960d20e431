import { describe, expect, it } from 'vitest'
import { testEngine } from '../helpers.ts'

describe('bitmaps never change bytes already handed out', () => {
  it('a GET reply keeps its bytes after SETBIT, BITFIELD and growth', async () => {
    const t = testEngine()
    await t.conn.call('SET', 'k', Buffer.alloc(100, 0))
    const before = (await t.conn.call('GET', 'k')) as Buffer
    await t.conn.call('SETBIT', 'k', '7', '1')
    await t.conn.call('BITFIELD', 'k', 'SET', 'u8', '8', '255')
    await t.conn.call('SETBIT', 'k', '10000', '1')
    expect(before.equals(Buffer.alloc(100, 0))).toBe(true)
    const after = (await t.conn.call('GET', 'k')) as Buffer
    expect(after.length).toBe(1251)
    expect(after[0]).toBe(1)
    expect(after[1]).toBe(255)
    expect(after[1250]).toBe(0x80)
  })

  it('grows a bitmap bit by bit past its end with the right contents', async () => {
    const t = testEngine()
    for (let bit = 0; bit < 4000; bit += 3) await t.conn.call('SETBIT', 'k', String(bit), '1')
    expect(await t.conn.call('BITCOUNT', 'k')).toBe(1334)
    expect(await t.conn.call('STRLEN', 'k')).toBe(500)
    expect(await t.conn.call('GETBIT', 'k', '3999')).toBe(1)
    expect(await t.conn.call('GETBIT', 'k', '3998')).toBe(0)
  })

  it('respects proto-max-bulk-len for offsets', async () => {
    const t = testEngine()
    await t.conn.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')
    expect(await t.resp('SETBIT', 'k', String(8 * 1024 * 1024), '1')).toBe(
      '-ERR bit offset is not an integer or out of range\r\n',
    )
    expect(await t.resp('SETBIT', 'k', String(8 * 1024 * 1024 - 1), '1')).toBe(':0\r\n')
  })
})
