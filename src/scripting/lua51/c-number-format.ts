/**
 * C's printf formatting of doubles (%g, %e, %f), as glibc does it, for the Lua 5.1 that Redis embeds: `tostring`
 * and `..` use "%.14g", `redis.call` arguments use "%.17g", `string.format` takes any of them.
 *
 * JavaScript's toPrecision/toFixed round exact ties away from zero, glibc rounds them to even (printf("%.0f", 2.5) is
 * "2"), and Number#toString picks the shortest round-trip digits rather than the exact value. So the slow path works
 * on the exact decimal expansion of the double (via BigInt) and rounds half-to-even; a fast path covers the values
 * where no tie is possible.
 */

/** The exact decimal digits of |x| (finite, non-zero): value = 0.DIGITS × 10^point. No leading zeros. */
interface Decimal {
  digits: string
  point: number
}

const F64 = new Float64Array(1)
const U32 = new Uint32Array(F64.buffer)
/** Index of the high 32-bit word of a double in U32 (the platform's endianness). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

/** Whether the sign bit of `x` is set (distinguishes -0 and the -nan that x86 produces for 0/0). */
export function signBit(x: number): boolean {
  F64[0] = x
  return U32[HI] >>> 31 === 1
}

function exactDecimal(x: number): Decimal {
  F64[0] = Math.abs(x)
  const hi = U32[HI] & 0xfffff
  const lo = U32[1 - HI]
  const biasedExp = U32[HI] >>> 20
  let mantissa = (BigInt(hi) << 32n) | BigInt(lo)
  let exp2: number
  if (biasedExp === 0) {
    exp2 = -1074 // subnormal
  } else {
    mantissa |= 1n << 52n
    exp2 = biasedExp - 1075
  }
  let digits: string
  let point: number
  if (exp2 >= 0) {
    digits = (mantissa << BigInt(exp2)).toString()
    point = digits.length
  } else {
    // m / 2^k = m * 5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exp2)).toString()
    point = digits.length + exp2
  }
  // Trailing zeros carry no information.
  let end = digits.length
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--
  return { digits: digits.slice(0, end), point }
}

/** Rounds to `n` significant digits (n >= 1), half to even; may carry into a new leading digit. */
function roundSignificant(d: Decimal, n: number): Decimal {
  if (d.digits.length <= n) return d
  return roundAt(d, n)
}

/** Rounds so that `decimals` digits remain after the decimal point (decimals >= 0), half to even. */
function roundFixed(d: Decimal, decimals: number): Decimal {
  const keep = d.point + decimals
  if (d.digits.length <= keep) return d
  if (keep < 0) return { digits: '0', point: 1 }
  if (keep === 0) {
    // Everything is below the last kept position: compare with one half of a unit in that position.
    const first = d.digits.charCodeAt(0) - 48
    const roundsUp = first > 5 || (first === 5 && d.digits.length > 1)
    return roundsUp ? { digits: '1', point: d.point + 1 } : { digits: '0', point: 1 }
  }
  return roundAt(d, keep)
}

/** Keeps the first `keep` digits (keep >= 1 and < digits.length), rounding half to even. */
function roundAt(d: Decimal, keep: number): Decimal {
  const digits = d.digits
  const next = digits.charCodeAt(keep) - 48
  let up: boolean
  if (next > 5) up = true
  else if (next < 5) up = false
  else if (keep + 1 < digits.length)
    up = true // more non-zero digits follow (trailing zeros were stripped)
  else up = (digits.charCodeAt(keep - 1) - 48) % 2 === 1 // exact tie: to even
  let kept = digits.slice(0, keep)
  let point = d.point
  if (up) {
    const bumped = (BigInt(kept) + 1n).toString()
    if (bumped.length > kept.length) point++
    kept = bumped.slice(0, keep)
  }
  return { digits: kept, point }
}

function nonFinite(x: number, upper: boolean): string {
  let s: string
  if (Number.isNaN(x)) s = signBit(x) ? '-nan' : 'nan'
  else s = x < 0 ? '-inf' : 'inf'
  return upper ? s.toUpperCase() : s
}

function exponentText(e: number): string {
  const abs = Math.abs(e)
  return (e < 0 ? '-' : '+') + (abs < 10 ? `0${abs}` : String(abs))
}

function stripZeros(text: string): string {
  if (text.indexOf('.') === -1) return text
  let end = text.length
  while (text.charCodeAt(end - 1) === 48) end--
  if (text.charCodeAt(end - 1) === 46) end--
  return text.slice(0, end)
}

/** The digits of a decimal laid out with a point: "123.45", "0.001". `decimals` digits after the point. */
function layoutFixed(d: Decimal, decimals: number): string {
  const { digits, point } = d
  let intPart: string
  let frac: string
  if (point <= 0) {
    intPart = '0'
    frac = '0'.repeat(-point) + digits
  } else if (point >= digits.length) {
    intPart = digits + '0'.repeat(point - digits.length)
    frac = ''
  } else {
    intPart = digits.slice(0, point)
    frac = digits.slice(point)
  }
  if (frac.length < decimals) frac += '0'.repeat(decimals - frac.length)
  else frac = frac.slice(0, decimals)
  return decimals > 0 ? `${intPart}.${frac}` : intPart
}

function layoutExponent(d: Decimal, precision: number, upper: boolean): string {
  const first = d.digits[0]
  let rest = d.digits.slice(1)
  if (rest.length < precision) rest += '0'.repeat(precision - rest.length)
  const mantissa = precision > 0 ? `${first}.${rest}` : first
  return `${mantissa}${upper ? 'E' : 'e'}${exponentText(d.point - 1)}`
}

/** printf("%.{precision}e"). `alt` is the '#' flag (keep the point). */
export function formatE(x: number, precision = 6, upper = false, alt = false): string {
  if (!Number.isFinite(x)) return nonFinite(x, upper)
  const sign = signBit(x) ? '-' : ''
  if (x === 0) {
    const zeros = precision > 0 ? `0.${'0'.repeat(precision)}` : alt ? '0.' : '0'
    return `${sign}${zeros}${upper ? 'E' : 'e'}+00`
  }
  const d = roundSignificant(exactDecimal(x), precision + 1)
  let text = layoutExponent(d, precision, upper)
  if (alt && precision === 0) text = text.replace(/[eE]/, (m) => `.${m}`)
  return sign + text
}

/** printf("%.{precision}f"). */
export function formatF(x: number, precision = 6, upper = false, alt = false): string {
  if (!Number.isFinite(x)) return nonFinite(x, upper)
  const sign = signBit(x) ? '-' : ''
  if (x === 0) return sign + (precision > 0 ? `0.${'0'.repeat(precision)}` : alt ? '0.' : '0')
  const d = roundFixed(exactDecimal(x), precision)
  const text = layoutFixed(d, precision)
  return sign + (alt && precision === 0 ? `${text}.` : text)
}

/** printf("%.{precision}g"). */
export function formatG(x: number, precision = 6, upper = false, alt = false): string {
  if (!Number.isFinite(x)) return nonFinite(x, upper)
  const p = precision === 0 ? 1 : precision
  if (x === 0) {
    const sign = signBit(x) ? '-' : ''
    return sign + (alt ? `0.${'0'.repeat(p - 1)}` : '0')
  }
  // Fast path: an integer with at most p digits prints as itself (no rounding, no exponent).
  if (!alt && Number.isInteger(x) && Math.abs(x) < 10 ** p && Math.abs(x) <= Number.MAX_SAFE_INTEGER) {
    return String(x)
  }
  const sign = x < 0 ? '-' : ''
  const d = fastOrExact(x, p)
  const exponent = d.point - 1
  let text: string
  if (exponent < -4 || exponent >= p) {
    text = layoutExponent(d, p - 1, upper)
    if (!alt) {
      const e = text.search(/[eE]/)
      text = stripZeros(text.slice(0, e)) + text.slice(e)
    }
  } else {
    text = layoutFixed(d, p - 1 - exponent)
    if (!alt) text = stripZeros(text)
  }
  return sign + text
}

/**
 * The value rounded to `p` significant digits. An exact tie needs the decimal expansion to end right after digit
 * p+1, which needs few binary fraction digits; values with more than 30 of them can take JavaScript's (exactly
 * computed, away-from-zero on ties) toExponential, which then cannot meet a tie.
 */
function fastOrExact(x: number, p: number): Decimal {
  const abs = Math.abs(x)
  if (p <= 17 && !Number.isInteger(abs * 1073741824)) {
    const text = abs.toExponential(p - 1)
    const e = text.indexOf('e')
    const digits = text.slice(0, e).replace('.', '')
    return { digits, point: Number(text.slice(e + 1)) + 1 }
  }
  return roundSignificant(exactDecimal(x), p)
}

/** Lua 5.1's number-to-string conversion (LUAI_NUMFFORMAT "%.14g"): `tostring`, `..`, `string.format('%s')`. */
export function luaNumberToString(x: number): string {
  return formatG(x, 14)
}

/** How Redis turns a Lua number argument of redis.call into a command argument: "%.17g". */
export function redisArgNumber(x: number): string {
  return formatG(x, 17)
}
