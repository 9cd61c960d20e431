/**
 * LZF as Redis uses it for strings in RDB files and DUMP payloads (deps/lzf: lzf_c.c, lzf_d.c, built with HLOG 16
 * and VERY_FAST). The compressor reproduces liblzf's choices exactly — the same hash, the same table updates after a
 * match — so a payload redsim writes is byte for byte the one redis-server writes for the same input. (Redis leaves
 * its hash table uninitialised; a stale slot can only ever point outside the input, which the match test rejects, so
 * a zeroed table gives the same output.)
 */

const HLOG = 16
const HSIZE = 1 << HLOG
const MAX_LIT = 1 << 5
const MAX_OFF = 1 << 13
const MAX_REF = (1 << 8) + (1 << 3)

/** liblzf's VERY_FAST index of a 24-bit window hash (unsigned 32-bit arithmetic, as in C). */
function slotOf(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1)
}

/** One hash table reused between calls (it is fully reset each time): 256 KiB, not one per string. */
let table: Int32Array | null = null

/**
 * lzf_compress into at most `outLimit` bytes: the compressed bytes, or null when they would not fit (Redis then
 * stores the string verbatim). Redis asks for at most `input.length - 4` bytes.
 */
export function lzfCompress(input: Uint8Array, outLimit: number): Buffer | null {
  const inLen = input.length
  if (inLen === 0 || outLimit <= 0) return null
  // Slots hold position + 1 so that 0 means empty, as liblzf's offsets from the input start do.
  table ??= new Int32Array(HSIZE)
  const htab = table
  htab.fill(0)
  const out = Buffer.allocUnsafe(outLimit)
  const outEnd = outLimit
  const inEnd = inLen
  let ip = 0
  let op = 0
  let lit = 0
  op++ // start run
  let hval = ((input[0] as number) << 8) | (input[1] ?? 0)
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0
    const slot = slotOf(hval)
    const stored = htab[slot] as number
    const ref = stored > 0 ? stored - 1 : -1
    htab[slot] = ip + 1
    const off = ip - ref - 1
    if (
      ref > 0 &&
      ref < ip &&
      off < MAX_OFF &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let len = 2
      let maxlen = inEnd - ip - len
      if (maxlen > MAX_REF) maxlen = MAX_REF
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null
      out[op - lit - 1] = lit - 1 // stop run
      if (lit === 0) op--
      do len++
      while (len < maxlen && input[ref + len] === input[ip + len])
      len -= 2 // len is now #octets - 1
      ip++
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5)
      } else {
        out[op++] = (off >>> 8) + (7 << 5)
        out[op++] = len - 7
      }
      out[op++] = off & 0xff
      lit = 0
      op++ // start run
      ip += len + 1
      if (ip >= inEnd - 2) break
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2
      hval = ((input[ip] as number) << 8) | (input[ip + 1] as number)
      hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0
      htab[slotOf(hval)] = ip + 1
      ip++
      hval = ((hval << 8) | (input[ip + 2] as number)) >>> 0
      htab[slotOf(hval)] = ip + 1
      ip++
    } else {
      if (op >= outEnd) return null
      lit++
      out[op++] = input[ip++] as number
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1 // stop run
        lit = 0
        op++ // start run
      }
    }
  }
  if (op + 3 > outEnd) return null
  while (ip < inEnd) {
    lit++
    out[op++] = input[ip++] as number
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1
      lit = 0
      op++
    }
  }
  out[op - lit - 1] = lit - 1 // end run
  if (lit === 0) op--
  return out.subarray(0, op)
}

/**
 * lzf_decompress of `input` into exactly `outLen` bytes, or null when the input is corrupt or does not decompress
 * to that length (Redis refuses such a string).
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen)
  let ip = 0
  let op = 0
  const inEnd = input.length
  while (ip < inEnd) {
    let ctrl = input[ip++] as number
    if (ctrl < 1 << 5) {
      ctrl++
      if (op + ctrl > outLen || ip + ctrl > inEnd) return null
      out.set(input.subarray(ip, ip + ctrl), op)
      op += ctrl
      ip += ctrl
    } else {
      let len = ctrl >>> 5
      let ref = op - ((ctrl & 0x1f) << 8) - 1
      if (ip >= inEnd) return null
      if (len === 7) {
        len += input[ip++] as number
        if (ip >= inEnd) return null
      }
      ref -= input[ip++] as number
      if (op + len + 2 > outLen || ref < 0) return null
      len += 2
      // Byte by byte: a reference may overlap the bytes it produces (a run).
      for (let i = 0; i < len; i++) out[op++] = out[ref++] as number
    }
  }
  return op === outLen ? out : null
}
