/**
 * The x87 80-bit `long double` arithmetic INCRBYFLOAT (and HINCRBYFLOAT) perform in Redis, emulated exactly.
 *
 * Why not a JS double: Redis parses with strtold, adds in long double (64-bit mantissa) and prints with
 * `%.17Lf`, trimming trailing zeros. Doubles give visibly different answers: 10.5 + 0.1 is "10.6" in Redis but
 * 10.599999999999999 as a double, and 1e400 is a valid long double far beyond a double's range. So values are kept
 * as sign * mantissa * 2^exponent with a BigInt mantissa of at most 64 bits, rounded to nearest-even exactly where
 * the hardware rounds: after parsing and after the addition. Printing is exact (glibc prints exact decimal values,
 * rounding half to even), done with BigInt too.
 */

/** A finite long double: (-1)^negative * mantissa * 2^exponent, mantissa < 2^64. Zero has mantissa 0. */
export interface FiniteLongDouble {
  readonly kind: 'finite'
  readonly negative: boolean
  readonly mantissa: bigint
  readonly exponent: number
}

export type LongDouble = FiniteLongDouble | { readonly kind: 'infinity'; readonly negative: boolean }

const MANTISSA_BITS = 64
/** Exponent of the lowest mantissa bit of the smallest normal and of every subnormal (2^-16382 = 2^63 * 2^-16445). */
const MIN_EXPONENT = -16445
/** Values reach up to (2^64 - 1) * 2^16320, just under 2^16384. */
const MAX_BIT = 16384
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are rejected before parsing. */
const MAX_INPUT_LENGTH = 5 * 1024

const ZERO: FiniteLongDouble = { kind: 'finite', negative: false, mantissa: 0n, exponent: 0 }
export const LONG_DOUBLE_ZERO: LongDouble = ZERO

function bitLength(n: bigint): number {
  if (n === 0n) return 0
  const hex = n.toString(16)
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0], 16)))
}

/**
 * Rounds the exact value `n * 2^exponent` (plus a nonzero tail below it when `sticky`) to a long double, to nearest
 * with ties to even, with subnormals and overflow to infinity. Callers with a tail give `n` at least 66 bits.
 */
function round(negative: boolean, n: bigint, exponent: number, sticky: boolean): LongDouble {
  if (n === 0n) return { ...ZERO, negative }
  const bits = bitLength(n)
  let shift = bits - MANTISSA_BITS
  if (exponent + shift < MIN_EXPONENT) shift = MIN_EXPONENT - exponent
  let mantissa = n
  let e = exponent
  if (shift > 0) {
    if (shift > bits) {
      // Everything is below half of the smallest step: rounds to zero.
      mantissa = 0n
    } else {
      const big = BigInt(shift)
      mantissa = n >> big
      const rest = n - (mantissa << big)
      const half = 1n << (big - 1n)
      if (rest > half || (rest === half && (sticky || (mantissa & 1n) === 1n))) mantissa++
    }
    e += shift
  }
  if (mantissa === 0n) return { ...ZERO, negative }
  if (e + bitLength(mantissa) > MAX_BIT) return { kind: 'infinity', negative }
  return { kind: 'finite', negative, mantissa, exponent: e }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10
  return -1
}

/** Reads an exponent's digits from `i`, saturating far beyond any meaningful magnitude. */
function readExponent(s: string, i: number): { value: number; end: number } | null {
  let sign = 1
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1
    i++
  }
  if (!isDigit(s.charCodeAt(i))) return null
  let value = 0
  while (isDigit(s.charCodeAt(i))) {
    if (value < 1e9) value = value * 10 + (s.charCodeAt(i) - 0x30)
    i++
  }
  return { value: sign * value, end: i }
}

/**
 * Redis's string2ld: the whole argument must be what strtold accepts (no leading space, nothing left over, no NUL),
 * at most 5119 bytes, not NaN, and not out of range (overflow, or a nonzero value that underflows to zero).
 * Infinity spelled out ("inf", "infinity") is accepted. Returns null when Redis would say "not a valid float".
 */
export function parseLongDouble(buf: Buffer): LongDouble | null {
  const len = buf.length
  if (len === 0 || len >= MAX_INPUT_LENGTH) return null
  const s = buf.toString('latin1')
  let i = 0
  let negative = false
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-'
    i = 1
  }
  const rest = s.slice(i).toLowerCase()
  if (rest === 'inf' || rest === 'infinity') return { kind: 'infinity', negative }
  if (rest.length >= 2 && rest[0] === '0' && rest[1] === 'x') return parseHex(s, i + 2, negative)
  return parseDecimal(s, i, negative)
}

function parseDecimal(s: string, start: number, negative: boolean): LongDouble | null {
  let i = start
  let digits = ''
  let fractionDigits = 0
  let sawDigit = false
  while (isDigit(s.charCodeAt(i))) {
    digits += s[i++]
    sawDigit = true
  }
  if (s[i] === '.') {
    i++
    while (isDigit(s.charCodeAt(i))) {
      digits += s[i++]
      fractionDigits++
      sawDigit = true
    }
  }
  if (!sawDigit) return null
  let exponent10 = -fractionDigits
  if (s[i] === 'e' || s[i] === 'E') {
    const exp = readExponent(s, i + 1)
    if (!exp) return null
    exponent10 += exp.value
    i = exp.end
  }
  if (i !== s.length) return null
  const significant = digits.replace(/^0+/, '')
  if (significant === '') return { ...ZERO, negative }
  // Magnitude guards before any BigInt work: 10^4934 overflows, below 10^-4952 rounds to zero (2^-16446 ~ 1.8e-4951).
  const magnitude = significant.length + exponent10
  if (magnitude > 4934) return null
  if (magnitude < -4952) return null
  const d = BigInt(significant)
  let result: LongDouble
  if (exponent10 >= 0) {
    result = round(negative, d * 10n ** BigInt(exponent10), 0, false)
  } else {
    const denominator = 10n ** BigInt(-exponent10)
    // Enough quotient bits for a correctly rounded 64-bit mantissa plus guard bits.
    const shift = Math.max(0, 66 + bitLength(denominator) - bitLength(d))
    const scaled = d << BigInt(shift)
    const quotient = scaled / denominator
    result = round(negative, quotient, -shift, quotient * denominator !== scaled)
  }
  return rangeChecked(result)
}

function parseHex(s: string, start: number, negative: boolean): LongDouble | null {
  let i = start
  let mantissa = 0n
  let exponent = 0
  let sawDigit = false
  let hex = ''
  while (hexValue(s.charCodeAt(i)) >= 0) {
    hex += s[i++]
    sawDigit = true
  }
  if (s[i] === '.') {
    i++
    while (hexValue(s.charCodeAt(i)) >= 0) {
      hex += s[i++]
      exponent -= 4
      sawDigit = true
    }
  }
  // "0x" without hex digits: strtold reads just the "0" and stops at the "x", so the argument is rejected.
  if (!sawDigit) return null
  if (s[i] === 'p' || s[i] === 'P') {
    const exp = readExponent(s, i + 1)
    if (!exp) return null
    exponent += exp.value
    i = exp.end
  }
  if (i !== s.length) return null
  mantissa = BigInt(`0x${hex}`)
  if (mantissa === 0n) return { ...ZERO, negative }
  const top = exponent + bitLength(mantissa)
  if (top > MAX_BIT + 1) return null
  if (top < MIN_EXPONENT - 1) return null
  return rangeChecked(round(negative, mantissa, exponent, false))
}

/** strtold's ERANGE cases that string2ld rejects: overflow, and a nonzero input that became zero. */
function rangeChecked(value: LongDouble): LongDouble | null {
  if (value.kind === 'infinity') return null
  if (value.mantissa === 0n) return null
  return value
}

/** a + b, rounded once as the FPU does. Infinity plus the opposite infinity is NaN, reported as null. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    if (a.kind === 'infinity' && b.kind === 'infinity' && a.negative !== b.negative) return null
    return a.kind === 'infinity' ? a : b
  }
  if (a.mantissa === 0n) return b.mantissa === 0n ? { ...ZERO, negative: a.negative && b.negative } : b
  if (b.mantissa === 0n) return a
  const e = Math.min(a.exponent, b.exponent)
  const av = a.mantissa << BigInt(a.exponent - e)
  const bv = b.mantissa << BigInt(b.exponent - e)
  const sum = (a.negative ? -av : av) + (b.negative ? -bv : bv)
  if (sum === 0n) return ZERO
  return sum < 0n ? round(true, -sum, e, false) : round(false, sum, e, false)
}

const TEN_TO_17 = 10n ** 17n

/**
 * Redis's ld2string in LD_STR_HUMAN mode: `%.17Lf` (exact value rounded half-even at 17 decimals), trailing zeros
 * and a trailing point removed, "-0" turned into "0". Infinity prints as "inf" / "-inf".
 */
export function formatLongDouble(value: LongDouble): string {
  if (value.kind === 'infinity') return value.negative ? '-inf' : 'inf'
  const { negative, mantissa, exponent } = value
  let text: string
  if (exponent >= 0) {
    text = (mantissa << BigInt(exponent)).toString()
  } else {
    const shift = BigInt(-exponent)
    const scaled = mantissa * TEN_TO_17
    let units = scaled >> shift
    const rest = scaled - (units << shift)
    const half = 1n << (shift - 1n)
    if (rest > half || (rest === half && (units & 1n) === 1n)) units++
    const integer = units / TEN_TO_17
    const fraction = (units % TEN_TO_17).toString().padStart(17, '0').replace(/0+$/, '')
    text = fraction === '' ? integer.toString() : `${integer}.${fraction}`
  }
  if (text === '0') return '0'
  return negative ? `-${text}` : text
}

export function isFiniteLongDouble(value: LongDouble): value is FiniteLongDouble {
  return value.kind === 'finite'
}
