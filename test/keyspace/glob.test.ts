/**
 * Redis's glob matcher. The table's verdicts are what redis-server 7.0.15's KEYS answered for a key `text` and the
 * pattern (latin1 strings, so \xNN is one byte); the nocase verdicts are what its CONFIG GET answered.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringMatch } from '../../src/keyspace/glob.ts'

const REDIS_VERDICTS: Array<[pattern: string, text: string, matches: boolean]> = [
  ['*', 'anything', true],
  ['', '', true],
  ['', 'a', false],
  ['a', '', false],
  ['?', '', false],
  ['?', 'a', true],
  ['?', 'ab', false],
  ['??', 'ab', true],
  ['h?llo', 'hello', true],
  ['h*llo', 'hllo', true],
  ['h*llo', 'heeeello', true],
  ['h*llo', 'hello world', false],
  ['*llo', 'hello', true],
  ['h*', 'h', true],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'acb', false],
  ['a**b', 'ab', true],
  ['*a*', 'bab', true],
  ['*?', '', false],
  ['*?', 'x', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[b-a]llo', 'hallo', true],
  ['[a-]', '-', false],
  ['[a-]', 'a', true],
  ['[a-]', 'b', false],
  ['[a-]', ']', true],
  ['[]]', ']', false],
  ['[]a]', 'a', false],
  ['[', '[', false],
  ['[', 'a', false],
  ['[a', 'a', true],
  ['[ab', 'b', true],
  ['[^', 'x', true],
  ['[^a', 'b', true],
  ['x[', 'x', false],
  ['[\\]]', ']', true],
  ['[\\', '\\', true],
  ['[a\\-z]', '-', true],
  ['[a\\-z]', 'm', false],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['\\?', '?', true],
  ['\\[a]', '[a]', true],
  ['a\\', 'a\\', true],
  ['a\\', 'a', false],
  ['\\', '\\', true],
  ['*\\', 'a\\', true],
  ['[*]', '*', true],
  ['[?]', 'a', false],
  ['a[b-d]e', 'ace', true],
  ['A', 'a', false],
  ['[A-Z]', 'a', false],
  ['[a-\xff]', '\xff', true],
  ['[a-\xff]', '\xf0', false],
  ['[a-\xff]', '0', true],
  ['[a-\xff]', 'b', false],
  ['[\x80-\xff]', '\xc0', true],
  ['[\x80-\xff]', 'a', false],
  ['\xff?', '\xff\u0000', true],
  ['*\u0000*', 'a\u0000b', true],
  ['a*a*a*a*a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
  ['*a*a*a*a*a*a*a*a*a*a*', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', true],
  ['*ab*', 'aaaaab', true],
  ['*abc', 'ababc', true],
  ['*[ab]c', 'xxbc', true],
]

/**
 * A direct recursive reading of Redis's stringmatchlen (one call per `*`, with its skipLongerMatches flag), used as
 * the oracle for the iterative matcher on random inputs.
 */
function reference(pattern: string, text: string, nocase: boolean): boolean {
  const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c)
  const signed = (c: number) => (c >= 128 ? c - 256 : c)
  const state = { skip: false }
  const at = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) : 0)
  function match(p: number, s: number): boolean {
    let plen = pattern.length - p
    let slen = text.length - s
    while (plen > 0 && slen > 0) {
      const c = at(pattern, p)
      if (c === 42) {
        while (plen > 0 && at(pattern, p + 1) === 42) {
          p++
          plen--
        }
        if (plen === 1) return true
        while (slen > 0) {
          if (match(p + 1, s)) return true
          if (state.skip) return false
          s++
          slen--
        }
        state.skip = true
        return false
      } else if (c === 63) {
        s++
        slen--
      } else if (c === 91) {
        p++
        plen--
        const not = at(pattern, p) === 94
        if (not) {
          p++
          plen--
        }
        let hit = false
        for (;;) {
          if (at(pattern, p) === 92 && plen >= 2) {
            p++
            plen--
            if (at(pattern, p) === at(text, s)) hit = true
          } else if (plen > 0 && at(pattern, p) === 93) {
            break
          } else if (plen === 0) {
            p--
            plen++
            break
          } else if (plen >= 3 && at(pattern, p + 1) === 45) {
            let lo = signed(at(pattern, p))
            let hi = signed(at(pattern, p + 2))
            let ch = signed(at(text, s))
            if (lo > hi) [lo, hi] = [hi, lo]
            if (nocase) [lo, hi, ch] = [lower(lo), lower(hi), lower(ch)]
            p += 2
            plen -= 2
            if (ch >= lo && ch <= hi) hit = true
          } else if (nocase ? lower(at(pattern, p)) === lower(at(text, s)) : at(pattern, p) === at(text, s)) {
            hit = true
          }
          p++
          plen--
        }
        if (not) hit = !hit
        if (!hit) return false
        s++
        slen--
      } else {
        if (c === 92 && plen >= 2) {
          p++
          plen--
        }
        const want = at(pattern, p)
        const got = at(text, s)
        if (nocase ? lower(want) !== lower(got) : want !== got) return false
        s++
        slen--
      }
      p++
      plen--
      if (slen === 0) {
        while (plen > 0 && at(pattern, p) === 42) {
          p++
          plen--
        }
        break
      }
    }
    return plen === 0 && slen === 0
  }
  return match(0, 0)
}

describe('glob (stringmatchlen)', () => {
  it.each(REDIS_VERDICTS)('%j against %j is %s, as in Redis', (pattern, text, matches) => {
    expect(stringMatch(pattern, text)).toBe(matches)
  })

  it('"*" does not match the empty string by itself; KEYS and SCAN special-case a lone "*"', () => {
    expect(stringMatch('*', '')).toBe(false)
    expect(stringMatch('**', '')).toBe(false)
  })

  it('nocase folds ASCII letters in literals and ranges but not escaped set members (CONFIG GET)', () => {
    expect(stringMatch('[M]AXCLIENTS', 'maxclients', true)).toBe(true)
    expect(stringMatch('MAXCLIEN?S', 'maxclients', true)).toBe(true)
    expect(stringMatch('[L-N]axclients', 'maxclients', true)).toBe(true)
    expect(stringMatch('[^M]axclients', 'maxclients', true)).toBe(false)
    expect(stringMatch('[\\M]axclients', 'maxclients', true)).toBe(false)
    expect(stringMatch('[M]AXCLIENTS', 'maxclients')).toBe(false)
  })

  it('agrees with a recursive reading of Redis on random patterns and texts', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '[', ']', '^', '-', '\\', 'A', '\xf0', '\xff', '\0')
    const str = (max: number) => fc.array(alphabet, { maxLength: max }).map((chars) => chars.join(''))
    fc.assert(
      fc.property(str(10), str(12), fc.boolean(), (pattern, text, nocase) => {
        expect(stringMatch(pattern, text, nocase)).toBe(reference(pattern, text, nocase))
      }),
      { numRuns: 20000, seed: 42 },
    )
  })

  it('handles patterns with many stars without recursion or exponential backtracking', () => {
    const text = 'a'.repeat(5000)
    expect(stringMatch('*a'.repeat(20000), text)).toBe(false)
    expect(stringMatch(`${'a*'.repeat(3000)}b`, text)).toBe(false)
    expect(stringMatch(`${'*a'.repeat(2500)}*`, text)).toBe(true)
  })
})
