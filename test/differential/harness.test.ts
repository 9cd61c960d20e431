/**
 * Checks of the differential machinery itself: the reply framer, and that the generated sequences are deterministic
 * (two real redis-servers must agree on every one; a difference would mean the generator produces races).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sequenceArb } from './command-generator.ts'
import { typeSequences } from './generators/index.ts'
import { DifferentialPair, describeDifferential } from './harness.ts'
import { helloWithoutId, positiveIntegerAsTtl, scanKeysSorted } from './normalize.ts'
import { replyEnd } from './raw-client.ts'

describe('replyEnd frames RESP replies', () => {
  const complete = [
    '+OK\r\n',
    '-ERR x\r\n',
    ':1\r\n',
    '$-1\r\n',
    '$0\r\n\r\n',
    '$5\r\na\r\nbc\r\n',
    '*-1\r\n',
    '*0\r\n',
    '*2\r\n$1\r\na\r\n*1\r\n:1\r\n',
    '%1\r\n+k\r\n:1\r\n',
    '~1\r\n_\r\n',
    '>2\r\n+a\r\n+b\r\n',
    ',1.5\r\n',
    '#t\r\n',
    '=7\r\ntxt:abc\r\n',
    '(12345678901234567890\r\n',
  ]
  for (const reply of complete) {
    it(`${JSON.stringify(reply)} is one reply, and no prefix of it is`, () => {
      const buf = Buffer.from(`${reply}+NEXT\r\n`, 'latin1')
      expect(replyEnd(buf, 0)).toBe(reply.length)
      for (let cut = 0; cut < reply.length; cut++) expect(replyEnd(buf.subarray(0, cut), 0)).toBe(-1)
    })
  }
})

describe('normalizers', () => {
  it('keep the sign of a TTL only', () => {
    expect(positiveIntegerAsTtl(':99999\r\n')).toBe(':<ttl>\r\n')
    expect(positiveIntegerAsTtl(':-1\r\n')).toBe(':-1\r\n')
    expect(positiveIntegerAsTtl(':-2\r\n')).toBe(':-2\r\n')
  })
  it('sort SCAN keys but keep the cursor', () => {
    expect(scanKeysSorted('*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n')).toBe(
      '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n',
    )
  })
  it('hide the HELLO client id', () => {
    expect(helloWithoutId('%1\r\n$2\r\nid\r\n:42\r\n')).toBe('%1\r\n$2\r\nid\r\n:<id>\r\n')
  })
})

describeDifferential(
  'differential harness: two redis-servers agree on generated sequences',
  (pair) => {
    it('the generator only produces deterministic sequences', async () => {
      await fc.assert(
        fc.asyncProperty(sequenceArb, async (steps) => {
          await pair().expectSame(steps)
        }),
        { numRuns: Number(process.env.DIFF_RUNS ?? 60) },
      )
    }, 120_000)

    // The data-type generators too: random replies by shape, unordered ones as sets, scans fully iterated.
    for (const [name, sequences] of Object.entries(typeSequences)) {
      it(`the ${name} generator only produces deterministic sequences`, async () => {
        await fc.assert(
          fc.asyncProperty(sequences, async (steps) => {
            await pair().expectSame(steps)
          }),
          { numRuns: Number(process.env.REDSIM_DIFF_RUNS ?? 60) / 3 },
        )
      }, 600_000)
    }

    it('reports the first differing step with both replies (the comparison is not vacuous)', async () => {
      // The two servers listen on different ports, so this reply differs.
      const { mismatch, lines } = await pair().compare(['SET k v', 'CONFIG GET port', 'GET k'])
      expect(lines).toHaveLength(2)
      expect(mismatch?.startsWith('step 2: CONFIG GET port\n  redis:  "*2\\r\\n$4\\r\\nport\\r\\n')).toBe(true)
      expect(mismatch).toContain('  redsim: ')
    })
  },
  () => DifferentialPair.startRedisAgainstRedis(),
)
