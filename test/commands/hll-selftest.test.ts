import { describe, expect, it } from 'vitest'
import { hllSelfTest } from '../../src/commands/hll-selftest.ts'
import { seededRandom } from '../../src/engine/random.ts'

describe('PFSELFTEST', () => {
  it('passes on the implementation with a seeded source (fewer cycles and elements than the command runs)', () => {
    for (const seed of [1, 2, 3]) {
      expect(hllSelfTest(seededRandom(seed), 3000, { cycles: 20, elements: 200_000 })).toBeNull()
    }
  })

  it('reports the sparse check: a sketch promoted to dense while small fails it', () => {
    // hll-sparse-max-bytes 0 promotes the sparse sketch at its first add, but the check only runs below half of it;
    // 30 makes the check run at 1 and 10 elements, after a promotion at a few bytes past the header.
    expect(hllSelfTest(seededRandom(7), 30, { cycles: 1, elements: 1000 })).toBe('TESTFAILED sparse encoding not used')
  })
})
