import { describe, expect, it } from 'vitest'
import { crc64, crc64Init, crc64LittleEndian, crc64Update } from '../../src/persistence/crc64.ts'

describe('crc64 (Redis crc64.c, Jones polynomial)', () => {
  it('gives the check value Redis tests in crc64.c', () => {
    expect(crc64(Buffer.from('123456789')).toString(16)).toBe('e9c6d914c4b8d9ca')
  })

  it('matches the footer of a DUMP payload written by redis-server 7.0.15 (DUMP of the string "hello")', () => {
    const payload = Buffer.from('000568656c6c6f0a006372df766534200a', 'hex')
    const body = payload.subarray(0, payload.length - 8)
    expect(crc64LittleEndian(body).equals(payload.subarray(payload.length - 8))).toBe(true)
  })

  it('continues a running state across chunks as over the whole input', () => {
    const text = Buffer.from('The quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps')
    const state = crc64Init()
    for (let i = 0; i < text.length; i += 7) crc64Update(state, text.subarray(i, i + 7))
    expect((BigInt(state.hi) << 32n) | BigInt(state.lo)).toBe(crc64(text))
    expect(crc64(Buffer.alloc(0))).toBe(0n)
  })
})
