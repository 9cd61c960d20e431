/**
 * The Lua libraries (cjson, bit, struct, cmsgpack) against a real redis-server, byte for byte: fixed scripts from
 * diff-cases.ts, then generated ones (fast-check) that encode random values, decode random and mutated JSON and
 * MessagePack, pack and unpack random struct formats, and run every bit operation on random doubles. Errors are
 * compared verbatim too (they carry the script's SHA). In CI a missing redis-server fails the suite.
 * LIBS_DIFF_RUNS sets the number of generated cases per property (default 60); DIFF_SEED replays a reported seed.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { type DifferentialPair, describeDifferential, type StepInput } from '../../differential/harness.ts'
import { bitScripts, cjsonScripts, cmsgpackScripts, structScripts, tablesScripts } from './diff-cases.ts'
import { DUMP_FUNCTION, jsonText, luaNumber, luaStringLiteral, luaValue, structFormat } from './lua-arbitraries.ts'

const runs = Number(process.env.LIBS_DIFF_RUNS ?? 60)
const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED)

const ev = (script: string): StepInput => ['EVAL', script, '0']

async function property<T>(pair: () => DifferentialPair, arb: fc.Arbitrary<T>, script: (value: T) => string) {
  await fc.assert(
    fc.asyncProperty(arb, async (value) => {
      await pair().expectSame([ev(script(value))])
    }),
    { numRuns: runs, seed, endOnFailure: true },
  )
}

describeDifferential('differential: Lua libraries', (pair) => {
  const fixed: Record<string, string[]> = {
    bit: bitScripts,
    struct: structScripts,
    cmsgpack: cmsgpackScripts,
    cjson: cjsonScripts,
    'library tables': tablesScripts,
  }
  for (const [name, scripts] of Object.entries(fixed)) {
    it(`${name}: ${scripts.length} scripts`, async () => {
      await pair().expectSame(scripts.map(ev))
    }, 60_000)
  }

  it('cmsgpack.pack of random values, and the values it unpacks', async () => {
    await property(pair, fc.array(luaValue, { minLength: 1, maxLength: 4 }), (values) => {
      const list = values.join(', ')
      return `${DUMP_FUNCTION}local s = cmsgpack.pack(${list})
        return {s, dumpAll(cmsgpack.unpack(s)), dumpAll(cmsgpack.unpack_limit(s, 2, 1))}`
    })
  }, 60_000)

  it('cjson.encode of random values, and decoding what it wrote', async () => {
    await property(pair, luaValue, (value) => {
      return `${DUMP_FUNCTION}local ok, s = pcall(cjson.encode, ${value})
        if not ok then return {'error', s} end
        return {s, dumpAll(pcall(cjson.decode, s))}`
    })
  }, 60_000)

  it('cjson.decode of random and mutated JSON text', async () => {
    await property(pair, jsonText, (text) => {
      const literal = luaStringLiteral(text)
      return `${DUMP_FUNCTION}local ok, v = pcall(cjson.decode, ${literal})
        if not ok then return {'error', v} end
        return {dumpAll(v), dumpAll(pcall(cjson.encode, v))}`
    })
  }, 60_000)

  it('cmsgpack.unpack of random and truncated bytes', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc
        .tuple(fc.uint8Array({ maxLength: 12 }), fc.constantFrom(0x91, 0x92, 0x81, 0xdc, 0xde, 0xd9, 0xcb, 0xcf))
        .map(([b, head]) => Uint8Array.from([head, ...b])),
    )
    await property(pair, bytes, (b) => {
      const literal = luaStringLiteral(b)
      return `${DUMP_FUNCTION}return {dumpAll(pcall(cmsgpack.unpack, ${literal})),
        dumpAll(pcall(cmsgpack.unpack_one, ${literal})), dumpAll(pcall(cmsgpack.unpack_limit, ${literal}, 1, 1))}`
    })
  }, 60_000)

  it('struct.pack, struct.unpack and struct.size of random formats', async () => {
    const args = fc.array(fc.oneof(luaNumber, fc.constantFrom("'abc'", "'x'", "''", "'12'")), { maxLength: 6 })
    await property(pair, fc.tuple(structFormat, args), ([format, values]) => {
      const fmt = luaStringLiteral(Buffer.from(format, 'latin1'))
      const list = values.length > 0 ? `, ${values.join(', ')}` : ''
      return `${DUMP_FUNCTION}local ok, s = pcall(struct.pack, ${fmt}${list})
        local r = {dumpAll(ok, s), dumpAll(pcall(struct.size, ${fmt}))}
        if ok then r[3] = dumpAll(pcall(struct.unpack, ${fmt}, s)) end
        return r`
    })
  }, 60_000)

  it('cjson number precision and sparse-array settings on random input', async () => {
    const settings = fc.record({
      precision: fc.integer({ min: 1, max: 14 }),
      ratio: fc.integer({ min: 0, max: 4 }),
      safe: fc.integer({ min: 0, max: 12 }),
      numbers: fc.array(luaNumber, { minLength: 1, maxLength: 4 }),
      indexes: fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 5 }),
    })
    await property(pair, settings, ({ precision, ratio, safe, numbers, indexes }) => {
      // Keys are assigned in ascending order and the table stays an array or fails: no output depends on traversal.
      const assignments = [...indexes].sort((a, b) => a - b).map((i) => `t[${i}] = ${i}`)
      return `local t = {} ${assignments.join(' ')}
        cjson.encode_number_precision(${precision}) cjson.encode_invalid_numbers('null')
        cjson.encode_sparse_array(false, ${ratio}, ${safe})
        local r = {pcall(cjson.encode, {${numbers.join(', ')}})}
        local s = {pcall(cjson.encode, t)}
        cjson.encode_number_precision(14) cjson.encode_invalid_numbers(false) cjson.encode_sparse_array(false, 2, 10)
        return {r[1], r[2], s[1], s[2]}`
    })
  }, 60_000)

  it('cmsgpack.unpack_one and unpack_limit with random limits and offsets', async () => {
    const input = fc.tuple(
      fc.array(luaValue, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: -2, max: 5 }),
      fc.integer({ min: -2, max: 40 }),
    )
    await property(pair, input, ([values, limit, offset]) => {
      return `${DUMP_FUNCTION}local s = cmsgpack.pack(${values.join(', ')})
        return {dumpAll(pcall(cmsgpack.unpack_limit, s, ${limit}, ${offset})),
          dumpAll(pcall(cmsgpack.unpack_one, s, ${offset}))}`
    })
  }, 60_000)

  it('bit operations on random doubles', async () => {
    await property(pair, fc.tuple(luaNumber, luaNumber, luaNumber), ([a, b, c]) => {
      const ops = ['tobit(a)', 'bnot(a)', 'band(a, b, c)', 'bor(a, b)', 'bxor(a, b, c)', 'lshift(a, b)']
      ops.push('rshift(a, b)', 'arshift(a, b)', 'rol(a, b)', 'ror(a, b)', 'bswap(a)', 'tohex(a)', 'tohex(a, b)')
      return `local a, b, c = ${a}, ${b}, ${c}
        return {${ops.map((op) => `{pcall(bit.${op.replace('(', ', ')})}`).join(', ')}}`
    })
  }, 60_000)
})
