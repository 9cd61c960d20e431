import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf.ts'

/** FUNCTION DUMP of a three-function library from redis-server 7.0.15: 0xf5, then the code as an LZF string. */
const REDIS_DUMP = Buffer.from(
  'f5c3407741081c23216c7561206e616d653d6d796c69620a2d2d206120636f6d6d656e74e01f091e0a72656469732e72656769737465725f66756e6374696f6e28276631272c20e0000e186b6579732c2061726773292072657475726e203120656e6429e012400032e016400032e017400033e01640003320400164290a007a73c4ca0eef42aa',
  'hex',
)

describe('lzf (Redis deps/lzf)', () => {
  it('decompresses the string redis-server wrote and compresses it back to the same bytes', () => {
    // 0xf5, 0xc3 (LZF string), compressed length 0x4077 (14-bit), original length 0x4108.
    expect(REDIS_DUMP.subarray(0, 2).toString('hex')).toBe('f5c3')
    const compressed = REDIS_DUMP.subarray(6, 6 + 0x77)
    const original = lzfDecompress(compressed, 0x108)
    expect(original?.toString('latin1').startsWith('#!lua name=mylib\n-- a comment a comment')).toBe(true)
    expect(original?.toString('latin1').endsWith('return 3 end)')).toBe(true)
    expect(lzfCompress(original as Buffer, 0x108 - 4)?.equals(compressed)).toBe(true)
  })

  it('gives up when the output would not fit (incompressible input)', () => {
    const text = Buffer.from('#!lua name=x\nabcdefghijklmnop')
    expect(lzfCompress(text, text.length - 4)).toBeNull()
  })

  it('refuses corrupt input and a wrong declared length', () => {
    const text = Buffer.from('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
    const compressed = lzfCompress(text, text.length - 4) as Buffer
    expect(compressed.length).toBeLessThan(text.length / 4)
    expect(lzfDecompress(compressed, text.length)?.equals(text)).toBe(true)
    expect(lzfDecompress(compressed, text.length + 1)).toBeNull()
    expect(lzfDecompress(compressed, text.length - 1)).toBeNull()
    // A back reference before the start of the output.
    expect(lzfDecompress(Buffer.from([0x00, 0x61, 0x20, 0x05]), 10)).toBeNull()
    // A literal run longer than the input.
    expect(lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toBeNull()
  })

  it('round-trips any input, compressed or not (seeded)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc
        .array(fc.constantFrom('redis', '.call(', 'KEYS[1]', ' ', '\n', 'x'), { maxLength: 200 })
        .map((parts) => Buffer.from(parts.join(''))),
    )
    fc.assert(
      fc.property(bytes, (input) => {
        const compressed = lzfCompress(input, input.length + 64)
        if (input.length === 0) return compressed === null
        return compressed !== null && lzfDecompress(compressed, input.length)?.equals(Buffer.from(input)) === true
      }),
      { seed: 13, numRuns: 400 },
    )
  })
})
