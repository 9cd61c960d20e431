/**
 * Doubles the way Redis reads them: C's strtod, and the two checking layers Redis puts on top of it.
 *
 * - `parseScore` is getDoubleFromObject (ZADD scores, ZINCRBY, WEIGHTS, SORT BY values): the whole string, no
 *   leading space, not NaN, and no overflow or underflow to zero (`1e400`, `1e-400` are refused; `inf` is fine).
 * - `parseRangeBound` is zslParseRange's strtod call: leading spaces, overflow to inf and the empty string (0) are
 *   all accepted, only trailing garbage and NaN are not.
 *
 * strtod accepts an optional sign, decimal with optional fraction and exponent, hexadecimal floats (`0x1p3`),
 * `inf`/`infinity` and `nan`/`nan(chars)`, all case-insensitive.
 */
import { ReplyError } from '../protocol/reply.ts'

export interface StrtodResult {
  value: number
  /** Bytes consumed; 0 when no number was found (then value is 0). */
  end: number
  /** strtod would set ERANGE: the result overflowed to inf or underflowed to zero. */
  range: boolean
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/
const INF = /^[+-]?(?:infinity|inf)/i
const NAN = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i

/** C's strtod over a latin1 string starting at `start`. */
export function strtod(text: string, start = 0): StrtodResult {
  let i = start
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++
  const rest = i === 0 ? text : text.slice(i)
  let m = HEX.exec(rest)
  if (m) return { ...hexValue(m[0]), end: i + m[0].length }
  m = DECIMAL.exec(rest)
  if (m) {
    const value = Number(m[0])
    const range = (!Number.isFinite(value) || value === 0) && /[1-9]/.test(m[0].split(/[eE]/)[0])
    return { value, end: i + m[0].length, range }
  }
  m = INF.exec(rest)
  if (m) return { value: m[0][0] === '-' ? -Infinity : Infinity, end: i + m[0].length, range: false }
  m = NAN.exec(rest)
  if (m) return { value: Number.NaN, end: i + m[0].length, range: false }
  return { value: 0, end: 0, range: false }
}

function hexValue(literal: string): { value: number; range: boolean } {
  const negative = literal[0] === '-'
  const body = literal.replace(/^[+-]?0[xX]/, '')
  const [digits, exponentText] = body.split(/[pP]/)
  const [intPart, fracPart = ''] = digits.split('.')
  const mantissa = BigInt(`0x${intPart || '0'}${fracPart}`)
  const exponent = Number(exponentText ?? '0') - fracPart.length * 4
  let value = Number(mantissa) * 2 ** exponent
  // 2 ** exponent alone may over- or underflow where the product would not.
  if ((!Number.isFinite(value) || value === 0) && mantissa !== 0n) {
    value = Number(mantissa) * 2 ** Math.trunc(exponent / 2) * 2 ** (exponent - Math.trunc(exponent / 2))
  }
  const range = mantissa !== 0n && (!Number.isFinite(value) || value === 0)
  return { value: negative ? -value : value, range }
}

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/** getDoubleFromObject: the score, or null when Redis would reply `value is not a valid float`. */
export function parseScore(arg: Buffer): number | null {
  if (arg.length === 0) return null
  const text = arg.toString('latin1')
  // Fast path for plain decimals (what clients send): only digits, sign, dot and exponent characters, starting with
  // a digit, sign or dot, where JS's Number() and strtod agree. Anything else, and any zero or non-finite result
  // (which may be an underflow or overflow strtod flags), takes the full path below.
  if (isPlainDecimal(arg)) {
    const value = Number(text)
    if (value !== 0 && Number.isFinite(value)) return value
  }
  if (isCSpace(text.charCodeAt(0))) return null
  const r = strtod(text)
  if (r.end !== text.length || r.range || Number.isNaN(r.value)) return null
  return r.value
}

/** Bytes are all in [0-9.eE+-] and the first is a digit, a sign or a dot. */
function isPlainDecimal(arg: Buffer): boolean {
  const first = arg[0]
  if (!((first >= 0x30 && first <= 0x39) || first === 0x2d || first === 0x2b || first === 0x2e)) return false
  for (let i = 1; i < arg.length; i++) {
    const c = arg[i]
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2d || c === 0x2b)) return false
  }
  return true
}

/** parseScore, throwing `ERR <message>` (default: value is not a valid float). */
export function scoreArg(arg: Buffer, message = 'value is not a valid float'): number {
  const value = parseScore(arg)
  if (value === null) throw new ReplyError(`ERR ${message}`)
  return value
}

/** zslParseRange's reading of one bound (after any `(`): null when refused. */
export function parseRangeBound(text: string, start: number): number | null {
  const r = strtod(text, start)
  // An empty or unparsable tail leaves end at 0, which only counts as "whole string" when nothing was there.
  const end = r.end === 0 ? start : r.end
  if (end !== text.length || Number.isNaN(r.value)) return null
  return r.value
}
