/**
 * CRC-64/Jones as Redis computes it (src/crc64.c): reflected polynomial 0xad93d23594c935a9, initial value 0, no final
 * xor. Redis appends it, little-endian, to every DUMP payload and RDB file, so a payload redsim writes verifies in
 * redis-server and the other way round. Check value: crc64("123456789") = 0xe9c6d914c4b8d9ca.
 *
 * The 64-bit state is carried as two 32-bit halves rather than a BigInt so a whole RDB file can be summed without an
 * allocation per byte.
 */

/** The polynomial bit-reversed, as the reflected algorithm shifts right. */
const REFLECTED_POLY_HI = 0x95ac9329
const REFLECTED_POLY_LO = 0xac4bc9b5

const TABLE_LO = new Uint32Array(256)
const TABLE_HI = new Uint32Array(256)
for (let n = 0; n < 256; n++) {
  let lo = n
  let hi = 0
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
    hi = hi >>> 1
    if (carry) {
      lo = (lo ^ REFLECTED_POLY_LO) >>> 0
      hi = (hi ^ REFLECTED_POLY_HI) >>> 0
    }
  }
  TABLE_LO[n] = lo
  TABLE_HI[n] = hi
}

/** A running CRC-64 state as its two 32-bit halves, so a stream can be summed in chunks. */
export interface Crc64State {
  hi: number
  lo: number
}

export function crc64Init(): Crc64State {
  return { hi: 0, lo: 0 }
}

/** Folds `bytes` into `state` (mutated and returned), as Redis's crc64(crc, s, l) continues from `crc`. */
export function crc64Update(state: Crc64State, bytes: Uint8Array): Crc64State {
  let { hi, lo } = state
  for (let i = 0; i < bytes.length; i++) {
    const index = (lo ^ (bytes[i] as number)) & 0xff
    lo = (((lo >>> 8) | (hi << 24)) ^ (TABLE_LO[index] as number)) >>> 0
    hi = ((hi >>> 8) ^ (TABLE_HI[index] as number)) >>> 0
  }
  state.hi = hi
  state.lo = lo
  return state
}

/** The 8 bytes Redis writes after a payload: the CRC little-endian. */
export function crc64Bytes(state: Crc64State): Buffer {
  const out = Buffer.allocUnsafe(8)
  out.writeUInt32LE(state.lo, 0)
  out.writeUInt32LE(state.hi, 4)
  return out
}

/** The CRC of `bytes` as a bigint (for display and comparison). */
export function crc64(bytes: Uint8Array): bigint {
  const state = crc64Update(crc64Init(), bytes)
  return (BigInt(state.hi) << 32n) | BigInt(state.lo)
}

/** The CRC of `bytes` as the 8 little-endian bytes Redis appends. */
export function crc64LittleEndian(bytes: Uint8Array): Buffer {
  return crc64Bytes(crc64Update(crc64Init(), bytes))
}
