/** The FieldTable behind hashes and sets: scan cursors across compaction, random picks, order. */
import { describe, expect, it } from 'vitest'
import { FieldTable } from '../../src/keyspace/types/field-table.ts'
import { seededRandom } from '../../src/engine/random.ts'

describe('FieldTable', () => {
  it('keeps insertion order; overwrite keeps the place, delete + add moves to the end', () => {
    const t = new FieldTable<number>()
    t.set('a', 1)
    t.set('b', 2)
    t.set('c', 3)
    t.set('a', 10)
    t.delete('b')
    t.set('b', 20)
    expect(t.namesArray()).toEqual(['a', 'c', 'b'])
    expect(t.get('a')).toBe(10)
  })

  it('a scan returns every name present throughout, even when deletions compact the table mid-scan', () => {
    const t = new FieldTable<boolean>()
    for (let i = 0; i < 1000; i++) t.set(`n${i}`, true)
    const seen = new Set<string>()
    let cursor = 0
    let step = 0
    let compactedUnderUs = false
    do {
      const before = t.slots
      cursor = t.scan(cursor, 10, (name) => seen.add(name))
      // Churn: delete 40 of the names n100..n999 and add 5 new ones; holes soon outnumber live names.
      for (let k = 0; k < 40; k++) t.delete(`n${100 + ((step * 40 + k) % 900)}`)
      for (let k = 0; k < 5; k++) t.set(`new${step}-${k}`, true)
      if (t.slots < before) compactedUnderUs = true
      step++
    } while (cursor !== 0)
    expect(compactedUnderUs).toBe(true)
    for (let i = 0; i < 100; i++) expect(seen.has(`n${i}`), `n${i}`).toBe(true)
  })

  it('random picks are live names and cover the table', () => {
    const t = new FieldTable<boolean>()
    for (let i = 0; i < 50; i++) t.set(`n${i}`, true)
    for (let i = 0; i < 40; i++) t.delete(`n${i}`)
    const random = seededRandom(7)
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const name = t.randomName(() => random.next()) as string
      expect(t.has(name)).toBe(true)
      seen.add(name)
    }
    expect(seen.size).toBe(10)
  })

  it('clone is independent', () => {
    const t = new FieldTable<number>()
    t.set('a', 1)
    const c = t.clone()
    t.set('b', 2)
    c.delete('a')
    expect(t.namesArray()).toEqual(['a', 'b'])
    expect(c.size).toBe(0)
  })
})
