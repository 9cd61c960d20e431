/**
 * The `bit` library of Redis 7.0's Lua: LuaBitOp 1.0.2 (tobit, tohex, bnot, band, bor, bxor, lshift, rshift, arshift,
 * rol, ror, bswap). Every operation works on 32-bit integers and returns them as signed doubles.
 *
 * A number becomes 32 bits the way LuaBitOp does it on a double-number Lua: add 2^52 + 2^51 and take the low 32 bits
 * of the result's IEEE representation. That is reduction modulo 2^32 with round-half-even for fractions, and it gives
 * the library's exact results for huge values, infinities and NaN too, so it is reproduced bit for bit here.
 */
import { type LuaState, lua } from 'fengari'
import { registerLibrary, typeError } from './lua51-args.ts'

const F64 = new Float64Array(1)
const U32 = new Uint32Array(F64.buffer)
/** Index of the low 32-bit word of a double in U32 (the platform's endianness). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1

/** LuaBitOp's barg: argument `idx` as an unsigned 32-bit value. */
function barg(L: LuaState, idx: number): number {
  // Lua 5.1's lua_tonumber: 0 for anything that is not a number or a numeric string.
  const x = lua.lua_tonumberx(L, idx, null)
  F64[0] = (x === false ? 0 : x) + 6755399441055744.0
  const b = U32[LO]
  if (b === 0 && x === false) typeError(L, idx, 'number')
  return b
}

/** BRET: the 32 bits as a signed number. */
function bret(L: LuaState, b: number): number {
  lua.lua_pushnumber(L, b | 0)
  return 1
}

function tobit(L: LuaState): number {
  return bret(L, barg(L, 1))
}

function bnot(L: LuaState): number {
  return bret(L, ~barg(L, 1))
}

function band(L: LuaState): number {
  let b = barg(L, 1)
  for (let i = lua.lua_gettop(L); i > 1; i--) b &= barg(L, i)
  return bret(L, b)
}

function bor(L: LuaState): number {
  let b = barg(L, 1)
  for (let i = lua.lua_gettop(L); i > 1; i--) b |= barg(L, i)
  return bret(L, b)
}

function bxor(L: LuaState): number {
  let b = barg(L, 1)
  for (let i = lua.lua_gettop(L); i > 1; i--) b ^= barg(L, i)
  return bret(L, b)
}

/** The shift and rotate functions: the count is taken modulo 32. */
function shiftOp(op: (b: number, n: number) => number) {
  return (L: LuaState): number => {
    const b = barg(L, 1)
    const n = barg(L, 2) & 31
    return bret(L, op(b, n))
  }
}

const lshift = shiftOp((b, n) => b << n)
const rshift = shiftOp((b, n) => b >>> n)
const arshift = shiftOp((b, n) => b >> n)
// C's b >> 32 (n = 0) is undefined behaviour that x86 executes as b >> 0; JavaScript's shift counts are modulo 32 too.
const rol = shiftOp((b, n) => (b << n) | (b >>> (32 - n)))
const ror = shiftOp((b, n) => (b << (32 - n)) | (b >>> n))

function bswap(L: LuaState): number {
  const b = barg(L, 1)
  return bret(L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24))
}

const LOWER = '0123456789abcdef'
const UPPER = '0123456789ABCDEF'

function tohex(L: LuaState): number {
  let b = barg(L, 1)
  let n = lua.lua_isnone(L, 2) ? 8 : barg(L, 2) | 0
  let digits = LOWER
  // -INT32_MIN overflows in C (and crashed Redis before CVE-2024-31449's fix, which clamps it like this).
  if (n === -2147483648) n = -2147483647
  if (n < 0) {
    n = -n
    digits = UPPER
  }
  if (n > 8) n = 8
  const out = new Uint8Array(n)
  for (let i = n - 1; i >= 0; i--) {
    out[i] = digits.charCodeAt(b & 15)
    b >>>= 4
  }
  lua.lua_pushstring(L, out)
  return 1
}

export function openBitLib(L: LuaState): void {
  registerLibrary(L, 'bit', { tobit, bnot, band, bor, bxor, lshift, rshift, arshift, rol, ror, bswap, tohex })
}
