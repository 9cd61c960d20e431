/**
 * The few Lua value conversions the fixture scripts rely on, so their specs compute exactly what the Lua does:
 * `tonumber` on a string, a number passed to `redis.call` (formatted like Redis does, `%.17g`), and a number
 * returned from a script (an integer reply, truncated toward zero).
 */

const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/
const HEX = /^[+-]?0[xX][0-9a-fA-F]+$/

/** Lua's `tonumber(s)` for strings: decimal or hex numerals with surrounding spaces; otherwise nil (undefined). */
export function luaToNumber(text: string | null): number | undefined {
  if (text === null) return undefined
  const trimmed = text.trim()
  if (DECIMAL.test(trimmed)) return Number(trimmed)
  if (HEX.test(trimmed)) return trimmed.startsWith('-') ? -Number(trimmed.slice(1)) : Number(trimmed.replace('+', ''))
  return undefined
}

/** How a Lua number becomes a command argument: `%.17g`. */
export function luaNumberArg(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e17) return String(value)
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  const exponent = Number(value.toExponential(16).split('e')[1])
  if (exponent < -4 || exponent >= 17) {
    const [mantissa] = value.toExponential(16).split('e')
    const sign = exponent < 0 ? '-' : '+'
    return `${trimZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return trimZeros(value.toFixed(16 - exponent))
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}

/** How a Lua number returned by a script becomes a reply: an integer, truncated toward zero. */
export function luaNumberReply(value: number): number {
  return Math.trunc(value)
}
