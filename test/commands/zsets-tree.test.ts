import { describe, expect, it } from 'vitest'
import { compareEntries, ScoreTree } from '../../src/keyspace/types/score-tree.ts'
import { seededRandom } from '../../src/engine/random.ts'

type Pair = [number, string]

function sorted(model: Map<string, number>): Pair[] {
  return [...model].map(([m, s]) => [s, m] as Pair).sort((a, b) => compareEntries(a[0], a[1], b[0], b[1]))
}

describe('ScoreTree (order-statistic B+tree behind sorted sets)', () => {
  it('keeps order, ranks and cursors right through random inserts and deletes', () => {
    const random = seededRandom('tree')
    const tree = new ScoreTree()
    const model = new Map<string, number>()
    for (let step = 0; step < 20000; step++) {
      const member = `m${Math.floor(random.next() * 3000)}`
      const existing = model.get(member)
      if (existing !== undefined && random.next() < 0.55) {
        expect(tree.delete(existing, member)).toBe(true)
        model.delete(member)
      } else if (existing === undefined) {
        const score = Math.floor(random.next() * 50) // many ties: members decide the order
        tree.insert(score, member)
        model.set(member, score)
      }
      if (step % 2500 === 0) tree.verify()
    }
    tree.verify()
    const expected = sorted(model)
    expect(tree.size).toBe(expected.length)
    const walked: Pair[] = []
    for (const c = tree.head(); c.valid; c.next()) walked.push([c.score, c.member])
    expect(walked).toEqual(expected)
    const back: Pair[] = []
    for (const c = tree.tail(); c.valid; c.prev()) back.push([c.score, c.member])
    expect(back.reverse()).toEqual(expected)
    for (let r = 0; r < expected.length; r += 7) {
      const [s, m] = expected[r]
      expect(tree.rank(s, m)).toBe(r)
      const c = tree.at(r)
      expect([c.score, c.member]).toEqual([s, m])
    }
    expect(tree.at(expected.length).valid).toBe(false)
    expect(tree.rankOf((s) => s >= 25)).toBe(expected.findIndex(([s]) => s >= 25))
    expect(tree.rankOf((s) => s > 1000)).toBe(expected.length)
  })

  it('shrinks back to a single leaf when emptied, and refuses absent pairs', () => {
    const tree = new ScoreTree()
    for (let i = 0; i < 5000; i++) tree.insert(i, `x${i}`)
    tree.verify()
    expect(tree.delete(1, 'nope')).toBe(false)
    for (let i = 0; i < 5000; i += 2) tree.delete(i, `x${i}`)
    tree.verify()
    for (let i = 1; i < 5000; i += 2) tree.delete(i, `x${i}`)
    tree.verify()
    expect(tree.size).toBe(0)
    expect(tree.head().valid).toBe(false)
  })
})
