/**
 * C's strtod (as glibc implements it, in the "C" locale) over a byte string: lua-cjson parses every number with it,
 * so "0x1F", "1e400" (inf), "-nan", "Infinity" and "1." are numbers in Redis's cjson.decode, and the parse stops
 * wherever strtod stops. Bytes past the end of the array read as C's terminating NUL.
 */

export interface StrtodResult {
  value: number
  /** Index just after the number. */
  end: number
}

const F64 = new Float64Array(1)
const U8 = new Uint8Array(F64.buffer)
/** Byte of a double that holds the sign bit (the platform's endianness). */
const SIGN_BYTE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 7 : 0

/** A quiet NaN with the sign bit as given (glibc returns -NaN for "-nan"). */
function nan(negative: boolean): number {
  F64[0] = Number.NaN
  if (negative) U8[SIGN_BYTE] |= 0x80
  else U8[SIGN_BYTE] &= 0x7f
  return F64[0]
}

/**
 * The common case without building a string: an optionally negative run of at most 15 digits that no '.', exponent
 * or 'x' follows (so its value is exact).
 */
function plainInteger(s: Uint8Array, start: number): StrtodResult | null {
  let p = start
  const negative = s[p] === 45
  if (negative) p++
  const first = p
  let value = 0
  while (p < s.length && s[p] >= 48 && s[p] <= 57 && p - first < 15) value = value * 10 + s[p++] - 48
  if (p === first) return null
  const next = p < s.length ? s[p] | 0x20 : 0
  if (next === 46 || next === 101 || next === 120 || (next >= 48 && next <= 57)) return null
  return { value: negative ? -value : value, end: p }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const lower = c | 0x20
  if (lower >= 97 && lower <= 102) return lower - 87
  return -1
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

/** Case-insensitive match of the ASCII `word` at `pos`. */
function matches(s: Uint8Array, pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if (pos + i >= s.length || (s[pos + i] | 0x20) !== word.charCodeAt(i)) return false
  }
  return true
}

/** The byte at `i`, or the C string's terminating NUL past the end. */
function byteAt(s: Uint8Array, i: number): number {
  return i < s.length ? s[i] : 0
}

/** Parses a number at `start`; null when strtod would convert nothing (endptr == nptr). */
export function strtod(s: Uint8Array, start: number): StrtodResult | null {
  const fast = plainInteger(s, start)
  if (fast) return fast
  let p = start
  while (isSpace(byteAt(s, p))) p++
  let negative = false
  if (byteAt(s, p) === 43 || byteAt(s, p) === 45) {
    negative = byteAt(s, p) === 45
    p++
  }
  const sign = negative ? -1 : 1
  if (matches(s, p, 'inf')) {
    const end = matches(s, p, 'infinity') ? p + 8 : p + 3
    return { value: sign * Number.POSITIVE_INFINITY, end }
  }
  if (matches(s, p, 'nan')) {
    let end = p + 3
    if (byteAt(s, end) === 40) {
      // nan(n-char-sequence): consumed only when the parenthesis closes.
      let q = end + 1
      while (
        isDigit(byteAt(s, q)) ||
        ((byteAt(s, q) | 0x20) >= 97 && (byteAt(s, q) | 0x20) <= 122) ||
        byteAt(s, q) === 95
      )
        q++
      if (byteAt(s, q) === 41) end = q + 1
    }
    return { value: nan(negative), end }
  }
  if (byteAt(s, p) === 48 && (byteAt(s, p + 1) | 0x20) === 120) {
    const hex = parseHex(s, p + 2)
    if (hex) return { value: sign * hex.value, end: hex.end }
    // "0x" without hex digits: the "0" alone is the number.
    return { value: sign * 0, end: p + 1 }
  }
  return parseDecimal(s, p, sign)
}

function parseDecimal(s: Uint8Array, p: number, sign: number): StrtodResult | null {
  const begin = p
  let digits = 0
  while (isDigit(byteAt(s, p))) {
    p++
    digits++
  }
  if (byteAt(s, p) === 46) {
    p++
    while (isDigit(byteAt(s, p))) {
      p++
      digits++
    }
  }
  if (digits === 0) return null
  let end = p
  if ((byteAt(s, p) | 0x20) === 101) {
    let q = p + 1
    if (byteAt(s, q) === 43 || byteAt(s, q) === 45) q++
    if (isDigit(byteAt(s, q))) {
      while (isDigit(byteAt(s, q))) q++
      end = q
    }
  }
  // JavaScript's Number() rounds a decimal numeral correctly, as glibc does; only the syntax differs ("1." is fine in
  // both, but a leading "." needs a zero for JavaScript).
  let text = Buffer.from(s.buffer, s.byteOffset + begin, end - begin).toString('latin1')
  if (text.charCodeAt(0) === 46) text = `0${text}`
  return { value: sign * Number(text), end }
}

/** A hexadecimal significand (after "0x") with an optional binary exponent: "1.8p3" is 12. */
function parseHex(s: Uint8Array, p: number): StrtodResult | null {
  let mantissa = 0n
  let digits = 0
  let fractionDigits = 0
  while (hexValue(byteAt(s, p)) >= 0) {
    mantissa = (mantissa << 4n) | BigInt(hexValue(byteAt(s, p)))
    p++
    digits++
  }
  if (byteAt(s, p) === 46) {
    let q = p + 1
    while (hexValue(byteAt(s, q)) >= 0) {
      mantissa = (mantissa << 4n) | BigInt(hexValue(byteAt(s, q)))
      q++
      digits++
      fractionDigits++
    }
    if (digits > 0) p = q
  }
  if (digits === 0) return null
  let exponent = 0
  if ((byteAt(s, p) | 0x20) === 112) {
    let q = p + 1
    let expSign = 1
    if (byteAt(s, q) === 43 || byteAt(s, q) === 45) {
      expSign = byteAt(s, q) === 45 ? -1 : 1
      q++
    }
    if (isDigit(byteAt(s, q))) {
      let e = 0
      while (isDigit(byteAt(s, q))) {
        if (e < 100000) e = e * 10 + byteAt(s, q) - 48
        q++
      }
      exponent = expSign * e
      p = q
    }
  }
  return { value: scaleByPowerOfTwo(mantissa, exponent - 4 * fractionDigits), end: p }
}

/** mantissa × 2^exponent, rounded to the nearest double. */
function scaleByPowerOfTwo(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0
  // Keep 64 significant bits plus a sticky bit, so Number() rounds once, correctly, for normal results.
  const bits = mantissa.toString(2).length
  if (bits > 64) {
    const drop = bits - 64
    const sticky = (mantissa & ((1n << BigInt(drop)) - 1n)) !== 0n ? 1n : 0n
    mantissa = (mantissa >> BigInt(drop)) | sticky
    exponent += drop
  }
  let value = Number(mantissa)
  while (exponent > 0) {
    const step = Math.min(exponent, 1000)
    value *= 2 ** step
    exponent -= step
  }
  while (exponent < 0) {
    const step = Math.max(exponent, -1000)
    value *= 2 ** step
    exponent -= step
  }
  return value
}
