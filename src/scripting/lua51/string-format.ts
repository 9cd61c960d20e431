/**
 * string.format as Lua 5.1 implements it (lstrlib.c str_format over C's sprintf), because fengari's 5.3 version
 * differs where scripts notice: 5.1 truncates floats for %d/%x/%c ("%d" of 3.7 is "3") and formats 64-bit values
 * ("%d" of 2^40), where 5.3 raises "number has no integer representation"; 5.1's %s does not call __tostring.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { formatE, formatF, formatG } from './c-number-format.ts'

const FLAGS = '-+ #0'

interface Spec {
  flags: string
  width: number
  precision: number | null
  conversion: string
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Lua 5.1's scanformat: flags, at most two width digits, at most two precision digits. */
function scanFormat(L: LuaState, fmt: Uint8Array, start: number): { spec: Spec; next: number } {
  let p = start
  while (p < fmt.length && FLAGS.includes(String.fromCharCode(fmt[p]))) p++
  if (p - start >= FLAGS.length + 1) lauxlib.luaL_error(L, 'invalid format (repeated flags)')
  const flags = latin1(fmt, start, p)
  const widthStart = p
  if (isDigit(fmt[p])) p++
  if (isDigit(fmt[p])) p++
  const width = p > widthStart ? Number(latin1(fmt, widthStart, p)) : 0
  let precision: number | null = null
  if (fmt[p] === 46) {
    p++
    const precisionStart = p
    if (isDigit(fmt[p])) p++
    if (isDigit(fmt[p])) p++
    precision = p > precisionStart ? Number(latin1(fmt, precisionStart, p)) : 0
  }
  if (isDigit(fmt[p])) lauxlib.luaL_error(L, 'invalid format (width or precision too long)')
  const conversion = p < fmt.length ? String.fromCharCode(fmt[p]) : '\0'
  return { spec: { flags, width, precision, conversion }, next: p + 1 }
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i])
  return s
}

/** Pads `body` (with its sign/prefix already split off into `prefix`) to the spec's width. */
function pad(spec: Spec, prefix: string, body: string, zeroPadAllowed: boolean): string {
  const length = prefix.length + body.length
  if (length >= spec.width) return prefix + body
  const fill = spec.width - length
  if (spec.flags.includes('-')) return prefix + body + ' '.repeat(fill)
  if (zeroPadAllowed && spec.flags.includes('0')) return prefix + '0'.repeat(fill) + body
  return ' '.repeat(fill) + prefix + body
}

function signPrefix(negative: boolean, spec: Spec): string {
  if (negative) return '-'
  if (spec.flags.includes('+')) return '+'
  if (spec.flags.includes(' ')) return ' '
  return ''
}

/** C's conversion of a double to a 64-bit integer (x86: out of range and NaN give the "indefinite" value). */
function toInt64(x: number): bigint {
  const t = Math.trunc(x)
  if (!Number.isFinite(t) || t >= 2 ** 63 || t < -(2 ** 63)) return -(2n ** 63n)
  return BigInt(t)
}

function formatInteger(spec: Spec, x: number): string {
  const c = spec.conversion
  let value = toInt64(x)
  let negative = false
  let digits: string
  if (c === 'd' || c === 'i') {
    negative = value < 0n
    digits = (negative ? -value : value).toString()
  } else {
    if (value < 0n) value += 2n ** 64n
    const radix = c === 'o' ? 8 : c === 'u' ? 10 : 16
    digits = value.toString(radix)
    if (c === 'X') digits = digits.toUpperCase()
  }
  if (spec.precision !== null) {
    if (spec.precision === 0 && value === 0n) digits = ''
    else if (digits.length < spec.precision) digits = '0'.repeat(spec.precision - digits.length) + digits
  }
  let prefix = c === 'd' || c === 'i' ? signPrefix(negative, spec) : ''
  if (spec.flags.includes('#')) {
    if (c === 'o' && !digits.startsWith('0')) digits = `0${digits}`
    else if ((c === 'x' || c === 'X') && value !== 0n) prefix = c === 'x' ? '0x' : '0X'
  }
  return pad(spec, prefix, digits, spec.precision === null)
}

function formatFloat(spec: Spec, x: number): string {
  const c = spec.conversion
  const precision = spec.precision ?? 6
  const upper = c === 'E' || c === 'G'
  const alt = spec.flags.includes('#')
  let text: string
  if (c === 'e' || c === 'E') text = formatE(x, precision, upper, alt)
  else if (c === 'f') text = formatF(x, precision, false, alt)
  else text = formatG(x, precision, upper, alt)
  const negative = text.startsWith('-')
  const body = negative ? text.slice(1) : text
  return pad(spec, signPrefix(negative, spec), body, Number.isFinite(x))
}

/** %q: the string between double quotes, with ", \, newline escaped by a backslash, \r as \r and NUL as \000. */
function quoted(s: Uint8Array): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === 34 || c === 92 || c === 10) out += `\\${String.fromCharCode(c)}`
    else if (c === 13) out += '\\r'
    else if (c === 0) out += '\\000'
    else out += String.fromCharCode(c)
  }
  return `${out}"`
}

/** Lua 5.1's luaL_checknumber: numbers and numeric strings, else "number expected, got <type>". */
function checkNumber(L: LuaState, arg: number): number {
  const n = lua.lua_tonumberx(L, arg, null)
  if (n === false) lauxlib.luaL_checknumber(L, arg) // raises the standard "number expected" argument error
  return n === false ? 0 : n
}

/** string.format(fmt, ...) */
export function luaStringFormat(L: LuaState): number {
  const top = lua.lua_gettop(L)
  let arg = 1
  const fmt = lauxlib.luaL_checklstring(L, arg)
  let out = ''
  let i = 0
  while (i < fmt.length) {
    const c = fmt[i]
    if (c !== 37) {
      out += String.fromCharCode(c)
      i++
      continue
    }
    if (fmt[i + 1] === 37) {
      out += '%'
      i += 2
      continue
    }
    if (++arg > top) lauxlib.luaL_argerror(L, arg, 'no value')
    const { spec, next } = scanFormat(L, fmt, i + 1)
    i = next
    switch (spec.conversion) {
      case 'c': {
        // sprintf("%c", 0) writes a NUL that strlen() then drops: 5.1 adds nothing for it.
        const code = Number(toInt64(checkNumber(L, arg)) & 0xffn)
        out += pad(spec, '', code === 0 ? '' : String.fromCharCode(code), false)
        break
      }
      case 'd':
      case 'i':
      case 'o':
      case 'u':
      case 'x':
      case 'X':
        out += formatInteger(spec, checkNumber(L, arg))
        break
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G':
        out += formatFloat(spec, checkNumber(L, arg))
        break
      case 'q':
        out += quoted(lauxlib.luaL_checklstring(L, arg))
        break
      case 's': {
        const s = lauxlib.luaL_checklstring(L, arg)
        if (spec.precision === null && s.length >= 100) {
          out += latin1(s, 0, s.length)
          break
        }
        // sprintf("%s") stops at the first NUL byte.
        let end = s.indexOf(0)
        if (end === -1) end = s.length
        if (spec.precision !== null) end = Math.min(end, spec.precision)
        out += pad(spec, '', latin1(s, 0, end), false)
        break
      }
      default:
        return lauxlib.luaL_error(L, "invalid option '%%%c' to 'format'", spec.conversion.charCodeAt(0))
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(Buffer.from(out, 'latin1')))
  return 1
}
