/**
 * The few Lua value conversions the fixture scripts rely on, so their specs compute exactly what the Lua does:
 * `tonumber` on a string, `tostring` of a number, a number passed to `redis.call` (formatted like Redis does,
 * `%.17g`), and a number returned from a script (an integer reply, truncated toward zero).
 */

const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/
const HEX = /^[+-]?0[xX][0-9a-fA-F]+$/

/** Lua's `tonumber(s)` for strings: decimal or hex numerals with surrounding spaces; otherwise nil (undefined). */
export function luaToNumber(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined
  const trimmed = text.trim()
  if (DECIMAL.test(trimmed)) return Number(trimmed)
  if (HEX.test(trimmed)) return trimmed.startsWith('-') ? -Number(trimmed.slice(1)) : Number(trimmed.replace('+', ''))
  return undefined
}

/** How a Lua number becomes a command argument (`redis.call('SET', k, n)`): `%.17g`. */
export function luaNumberArg(value: number): string {
  return formatG(value, 17)
}

/** Lua 5.1's `tostring(n)`, the Lua Redis embeds: `%.14g`. */
export function luaToString(value: number): string {
  return formatG(value, 14)
}

/** C's `%.<precision>g`. */
function formatG(value: number, precision: number): string {
  // The common case, exact integers that %g prints in full: no exponent formatting needed.
  if (Number.isSafeInteger(value) && Math.abs(value) < 10 ** precision && !Object.is(value, -0)) return String(value)
  if (Number.isNaN(value)) return value > 0 ? 'nan' : '-nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? '-' : '+'
    return `${trimZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return trimZeros(value.toFixed(precision - 1 - exponent))
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}

const TWO_TO_63 = 2 ** 63

/**
 * How a Lua number returned by a script becomes a reply: an integer, truncated toward zero (C's cast to long long).
 * Outside the int64 range, and for NaN, the cast gives x86's "integer indefinite", INT64_MIN, as redis-server does.
 */
export function luaNumberReply(value: number): number {
  if (!(value > -TWO_TO_63 - 1 && value < TWO_TO_63)) return -TWO_TO_63
  return Math.trunc(value)
}
