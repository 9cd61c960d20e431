/**
 * Redis's glob matcher (stringmatchlen in util.c, Redis 7.0), used by KEYS, SCAN MATCH, CONFIG GET and PUBSUB.
 *
 * Pattern and text are latin1 strings (one char per byte, as keys are stored), so matching is binary safe.
 * Supported syntax, with Redis's exact edge cases:
 *   *        any run of bytes, including none
 *   ?        exactly one byte
 *   [abc]    one byte of the set; [^abc] negates; [a-z] is a range (reversed ends are swapped); \ escapes inside
 *            the brackets; an unterminated [ set runs to the end of the pattern
 *   \x       the byte x literally
 *
 * Redis matches recursively, one level per `*`, with a flag (skipLongerMatches, the CVE-2022-36021 fix) that aborts
 * the whole match as soon as the part after some `*` fails against every remaining suffix of the text. With that flag
 * a `*` that has handed over to a later `*` is never resumed, so only the innermost `*` can ever backtrack. This
 * implementation keeps just that one backtrack point and loops instead of recursing: same answers, O(1) stack, no
 * stack overflow on patterns with many stars.
 */

const STAR = 0x2a // *
const QUESTION = 0x3f // ?
const OPEN = 0x5b // [
const CLOSE = 0x5d // ]
const CARET = 0x5e // ^
const BACKSLASH = 0x5c // \
const DASH = 0x2d // -

/** C's tolower in the "C" locale: only A-Z change. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c
}

/** A byte as C's (signed) `char`. */
function signedChar(c: number): number {
  return c >= 0x80 ? c - 0x100 : c
}

/**
 * Whether `text` matches the glob `pattern`. `nocase` folds ASCII letters, as CONFIG GET does.
 */
export function stringMatch(pattern: string, text: string, nocase = false): boolean {
  const plen = pattern.length
  const slen = text.length
  // The innermost `*`: where the pattern continues after it (-1: none yet), and the text offset being tried.
  let starPattern = -1
  let starText = 0
  let p = 0
  let s = 0

  for (;;) {
    // One pass of Redis's main loop from (p, s); a `*` on the way becomes the backtrack point and matching goes on
    // after it, as Redis's recursive call would.
    let mismatch = false
    while (p < plen && s < slen) {
      const pc = pattern.charCodeAt(p)
      if (pc === STAR) {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++
        if (p === plen - 1) return true
        starPattern = p + 1
        starText = s
        p++
        continue
      }
      if (pc === OPEN) {
        const end = matchClass(pattern, p, text.charCodeAt(s), nocase)
        if (end < 0) {
          mismatch = true
          break
        }
        p = end
      } else if (pc !== QUESTION) {
        if (pc === BACKSLASH && plen - p >= 2) p++
        const want = pattern.charCodeAt(p)
        const got = text.charCodeAt(s)
        if (nocase ? lower(want) !== lower(got) : want !== got) {
          mismatch = true
          break
        }
      }
      s++
      p++
      if (s === slen) {
        while (p < plen && pattern.charCodeAt(p) === STAR) p++
        break
      }
    }
    if (!mismatch && p === plen && s === slen) return true
    // A mismatch: resume the innermost `*` one byte further. When it has no text left its loop is exhausted, which in
    // Redis sets skipLongerMatches and fails the whole match.
    if (starPattern === -1) return false
    starText++
    if (starText >= slen) return false
    p = starPattern
    s = starText
  }
}

/**
 * A `[...]` set starting at `open` (the `[`) against byte `c`. Returns the pattern offset of the set's last byte
 * (its `]`, or the last pattern byte when unterminated, as Redis does) when `c` matches, or -1 when it does not.
 */
function matchClass(pattern: string, open: number, c: number, nocase: boolean): number {
  const plen = pattern.length
  let p = open + 1
  const not = p < plen && pattern.charCodeAt(p) === CARET
  if (not) p++
  let match = false
  for (;;) {
    const pc = p < plen ? pattern.charCodeAt(p) : -1
    if (pc === BACKSLASH && plen - p >= 2) {
      p++
      if (pattern.charCodeAt(p) === c) match = true
    } else if (pc === CLOSE) {
      break
    } else if (p >= plen) {
      p--
      break
    } else if (plen - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      // Redis compares plain (signed) chars here, so bytes 0x80-0xff sort below 0x00 in a range.
      let start = signedChar(pc)
      let end = signedChar(pattern.charCodeAt(p + 2))
      if (start > end) {
        const t = start
        start = end
        end = t
      }
      let subject = signedChar(c)
      if (nocase) {
        start = lower(start)
        end = lower(end)
        subject = lower(subject)
      }
      p += 2
      if (subject >= start && subject <= end) match = true
    } else if (nocase ? lower(pc) === lower(c) : pc === c) {
      match = true
    }
    p++
  }
  return match !== not ? p : -1
}
