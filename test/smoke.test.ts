import { describe, expect, it } from 'vitest'
import { testEngine } from './helpers.ts'

describe('engine smoke', () => {
  it('sets and gets through the executor', async () => {
    const t = testEngine()
    expect(await t.resp('SET', 'k', 'v')).toBe('+OK\r\n')
    expect(await t.resp('GET', 'k')).toBe('$1\r\nv\r\n')
    expect(await t.resp('GET', 'missing')).toBe('$-1\r\n')
  })
})
