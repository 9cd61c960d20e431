/**
 * String to number conversion as Redis's Lua 5.1 does it (luaO_str2d over glibc's strtod): leading and trailing
 * whitespace allowed, decimal and hexadecimal (integer or with a binary exponent), "inf", "infinity" and "nan" in any
 * case. The result is always a double: 5.1 has no integer subtype, and fengari's 32-bit integers would wrap.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/
const SPECIAL = /^([+-]?)(inf|infinity|nan(?:\([0-9a-zA-Z_]*\))?)$/i

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

/**
 * Parses the bytes `s[0..end)`; returns the number, or null when the text is not a whole number. A NUL byte ends
 * the text as it would in C.
 */
export function luaStringToNumber(s: Uint8Array): number | null {
  let end = s.length
  const nul = s.indexOf(0)
  if (nul !== -1) end = nul
  let start = 0
  while (start < end && isCSpace(s[start])) start++
  while (end > start && isCSpace(s[end - 1])) end--
  if (start === end || end - start > 400) return parseLong(s, start, end)
  let text = ''
  for (let i = start; i < end; i++) text += String.fromCharCode(s[i])
  return parseText(text)
}

function parseLong(s: Uint8Array, start: number, end: number): number | null {
  if (start === end) return null
  return parseText(Buffer.from(s.buffer, s.byteOffset + start, end - start).toString('latin1'))
}

function parseText(text: string): number | null {
  const c = text.charCodeAt(text[0] === '+' || text[0] === '-' ? 1 : 0)
  if (c >= 48 && c <= 57 && text.length < 16 && /^[+-]?\d+$/.test(text)) return Number(text)
  if (DECIMAL.test(text)) return Number(text)
  const hex = HEX.exec(text)
  if (hex) return parseHex(hex[1], hex[2], hex[3] ?? '', hex[4])
  const special = SPECIAL.exec(text)
  if (special) {
    const negative = special[1] === '-'
    if (special[2].toLowerCase().startsWith('nan')) return negative ? -Number.NaN : Number.NaN
    return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  }
  return null
}

function parseHex(sign: string, whole: string, frac: string, exponent: string | undefined): number | null {
  if (whole.length === 0 && frac.length === 0) return null
  const mantissa = BigInt(`0x${whole}${frac}`)
  const exp2 = (exponent === undefined ? 0 : Number(exponent)) - 4 * frac.length
  let value: number
  if (exp2 >= 0) value = Number(mantissa << BigInt(Math.min(exp2, 2048)))
  else value = Number(mantissa) * 2 ** exp2
  return sign === '-' ? -value : value
}

/**
 * C's strtoul(s, &end, base) followed by Lua 5.1's checks in tonumber(s, base): at least one digit, only whitespace
 * after. Overflow saturates at ULONG_MAX; a leading '-' negates modulo 2^64, as strtoul does.
 */
export function luaStringToNumberBase(s: Uint8Array, base: number): number | null {
  let i = 0
  const n = s.length
  while (i < n && isCSpace(s[i])) i++
  let negative = false
  if (s[i] === 43 || s[i] === 45) {
    negative = s[i] === 45
    i++
  }
  if (base === 16 && s[i] === 48 && (s[i + 1] === 120 || s[i + 1] === 88)) i += 2
  const first = i
  let value = 0n
  let overflow = false
  const big = BigInt(base)
  const max = (1n << 64n) - 1n
  for (; i < n; i++) {
    const c = s[i]
    let digit: number
    if (c >= 48 && c <= 57) digit = c - 48
    else if (c >= 97 && c <= 122) digit = c - 87
    else if (c >= 65 && c <= 90) digit = c - 55
    else break
    if (digit >= base) break
    value = value * big + BigInt(digit)
    if (value > max) overflow = true
  }
  if (i === first) return null
  while (i < n && isCSpace(s[i])) i++
  if (i !== n && s[i] !== 0) return null
  if (overflow) return Number(max)
  if (negative && value !== 0n) value = (1n << 64n) - value
  return Number(value)
}
