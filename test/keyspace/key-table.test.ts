/**
 * KeyTable: a Map with insertion order, SCAN cursors that survive deletions, compaction and clears, and O(1) random
 * keys. Sequence numbers are implicit until the first compaction, so both representations are exercised here.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KeyTable } from '../../src/keyspace/key-table.ts'

type Op = { kind: 'set'; key: number } | { kind: 'delete'; key: number } | { kind: 'clear' } | { kind: 'scan' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3000 }).map((key) => ({ kind: 'set' as const, key })) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 3000 }).map((key) => ({ kind: 'delete' as const, key })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'scan' as const }) },
)

describe('KeyTable', () => {
  it('behaves as a Map and keeps insertion order', () => {
    const t = new KeyTable<number>()
    expect(t.set('a', 1)).toBe(true)
    expect(t.set('b', 2)).toBe(true)
    expect(t.set('a', 3)).toBe(false)
    expect(t.get('a')).toBe(3)
    expect(t.delete('a')).toBe(true)
    expect(t.delete('a')).toBe(false)
    expect(t.set('a', 4)).toBe(true)
    expect([...t.entries()]).toEqual([
      ['b', 2],
      ['a', 4],
    ])
    expect(t.size).toBe(2)
  })

  it('a scan of an unchanged table returns every key once, across compactions and clears', () => {
    const t = new KeyTable<number>()
    for (let i = 0; i < 5000; i++) t.set(`k${i}`, i)
    // 2,500 holes after 2,500 live keys: the next delete compacts, making sequence numbers explicit.
    for (let i = 0; i < 2600; i++) t.delete(`k${i}`)
    t.clear()
    for (let i = 0; i < 100; i++) t.set(`n${i}`, i)
    const seen: string[] = []
    let cursor = 0
    do cursor = t.scan(cursor, 7, (k) => seen.push(k))
    while (cursor !== 0)
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`))
  })

  it('SCAN guarantee: every key present for the whole scan is returned at least once, and the scan ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 3000 }),
        fc.array(op, { maxLength: 4000 }),
        fc.integer({ min: 1, max: 50 }),
        (initial, ops, count) => {
          const t = new KeyTable<number>()
          for (const k of initial) t.set(`k${k}`, k)
          const presentAtStart = new Set([...t.entries()].map(([k]) => k))
          const removedDuringScan = new Set<string>()
          const everPresent = new Set(presentAtStart)
          const returned = new Set<string>()
          let cursor = 0
          let finished = false
          for (const o of ops) {
            if (o.kind === 'set') {
              t.set(`k${o.key}`, o.key)
              everPresent.add(`k${o.key}`)
            } else if (o.kind === 'delete') {
              if (t.delete(`k${o.key}`)) removedDuringScan.add(`k${o.key}`)
            } else if (o.kind === 'clear') {
              for (const [k] of t.entries()) removedDuringScan.add(k)
              t.clear()
            } else if (!finished) {
              cursor = t.scan(cursor, count, (k) => returned.add(k))
              if (cursor === 0) finished = true
            }
          }
          // Finish the scan: it must end within a bounded number of calls.
          for (let calls = 0; !finished; calls++) {
            if (calls > 10_000) throw new Error('scan did not end')
            cursor = t.scan(cursor, count, (k) => returned.add(k))
            if (cursor === 0) finished = true
          }
          for (const k of presentAtStart) {
            if (!removedDuringScan.has(k)) expect(returned.has(k)).toBe(true)
          }
          for (const k of returned) expect(everPresent.has(k)).toBe(true)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('randomKey returns live keys only', () => {
    const t = new KeyTable<number>()
    for (let i = 0; i < 2000; i++) t.set(`k${i}`, i)
    for (let i = 0; i < 1990; i++) t.delete(`k${i}`)
    let seed = 1
    const random = () => {
      seed = (seed * 48271) % 2147483647
      return seed / 2147483647
    }
    for (let i = 0; i < 50; i++) expect(t.get(t.randomKey(random) as string)).toBeGreaterThanOrEqual(1990)
  })
})
