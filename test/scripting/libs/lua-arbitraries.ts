/**
 * fast-check generators of Lua source for the libraries' differential tests: values written as Lua expressions (the
 * same text goes to both servers), JSON-ish text with mutations, MessagePack-ish bytes, struct formats. Tables are
 * dense arrays or single-key maps, so no reply depends on table traversal order (see diff-cases.ts).
 */
import fc from 'fast-check'

/**
 * -0 as an expression no compiler folds into a constant: Lua 5.1 keeps one constant slot for 0 and -0 per function
 * (whichever comes first wins, so a literal -0 next to a 0, or 1/0 after a -0, changes value), and fengari does not.
 * That is a compiler difference, not the libraries'; these tests keep clear of it.
 */
const NEGATIVE_ZERO = "tonumber('-0')"

/** Doubles worth testing, as Lua expressions that evaluate to exactly that double. */
const SPECIAL_NUMBERS = [
  '0',
  NEGATIVE_ZERO,
  '1',
  '-1',
  '0.5',
  '0.1',
  '(1/3)',
  '(2^31)',
  '(2^31-1)',
  '(-2^31)',
  '(2^32)',
  '(2^53)',
  '(2^53+2)',
  '(2^63)',
  '(2^64)',
  '(-2^63)',
  '(1/0)',
  '(-1/0)',
  '(0/0)',
  '(-(0/0))',
  '1e300',
  '1e-300',
  '5e-324',
  '3.4028234663852886e38',
  '127',
  '128',
  '255',
  '256',
  '-32',
  '-33',
  '65535',
  '65536',
]

/** A double as a Lua literal that parses back to the same value. */
function doubleLiteral(d: number): string {
  if (Number.isNaN(d)) return '(0/0)'
  if (!Number.isFinite(d)) return d > 0 ? '(1/0)' : '(-1/0)'
  if (Object.is(d, -0)) return NEGATIVE_ZERO
  return `(${d.toPrecision(17)})`
}

export const luaNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.integer({ min: -100000, max: 100000 }).map(String),
  fc.double({ noNaN: true }).map(doubleLiteral),
  fc.float({ noNaN: true }).map(doubleLiteral),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map((n) => `(${Number(n).toPrecision(17)})`),
)

/** A byte string as a Lua literal (every byte outside [A-Za-z0-9 ] as a three-digit decimal escape). */
export function luaStringLiteral(bytes: Uint8Array): string {
  let out = "'"
  for (const b of bytes) {
    const c = String.fromCharCode(b)
    out += /[A-Za-z0-9 ]/.test(c) ? c : `\\${String(b).padStart(3, '0')}`
  }
  return `${out}'`
}

export const luaString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => luaStringLiteral(Buffer.from(s, 'utf8'))),
  fc.uint8Array({ maxLength: 40 }).map(luaStringLiteral),
  fc.constantFrom(0, 31, 32, 255, 256).map((n) => `string.rep('x', ${n})`),
)

const scalar = fc.oneof(
  { weight: 4, arbitrary: luaNumber },
  { weight: 3, arbitrary: luaString },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'cjson.null') },
)

/** A Lua value: scalars, dense arrays and single-key maps, nested a few levels. */
export const luaValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 5 }).map((items) => `{${items.join(', ')}}`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(
            luaString,
            luaNumber.filter((n) => !n.includes('0/0')),
          ),
          tie('value'),
        )
        .map(([k, v]) => `{[${k}] = ${v}}`),
    },
  ),
})).value

/** Text that is JSON, almost JSON (lua-cjson's extensions), or JSON with a random mutation. */
const jsonToken = fc.oneof(
  fc.constantFrom('[', ']', '{', '}', ',', ':', ' ', '\n', 'null', 'true', 'false', '"', '\\'),
  fc.constantFrom('0x1F', '-0', '01', '1.', '.5', '1e5', '1E-3', '+1', 'Infinity', '-inf', 'NaN', 'nan(1)', '1e400'),
  fc.constantFrom('"\\u00e9"', '"\\ud83d\\ude00"', '"\\ud800"', '"\\x"', '"\\u12"', '"a\\/b"', '"\\b\\f\\n\\r\\t"'),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
)

const jsonDocument: fc.Arbitrary<string> = fc.letrec<{ doc: string }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: jsonToken },
    { weight: 1, arbitrary: fc.array(tie('doc'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.string({ maxLength: 3 }), tie('doc')).map(([k, v]) => `{${JSON.stringify(k)}:${v}}`),
    },
  ),
})).doc

/** JSON text, possibly mutated (truncated, a byte replaced, or tokens glued together). */
export const jsonText: fc.Arbitrary<Uint8Array> = fc.oneof(
  jsonDocument.map((s) => Buffer.from(s, 'utf8')),
  fc.array(jsonToken, { maxLength: 6 }).map((tokens) => Buffer.from(tokens.join(''), 'utf8')),
  fc.tuple(jsonDocument, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([s, at, byte, truncate]) => {
    const b = Buffer.from(s, 'utf8')
    if (b.length === 0) return b
    const i = at % b.length
    if (truncate) return b.subarray(0, i)
    b[i] = byte
    return b
  }),
)

/** struct format strings: every code, counts, alignment and endianness switches, and some invalid characters. */
export const structFormat: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom('b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'f', 'd', 'x', ' ', '<', '>', '!', 'c', 's'),
      fc.constantFrom('i1', 'i2', 'i3', 'i5', 'i8', 'i9', 'I16', 'c0', 'c1', 'c3', '!1', '!2', '!4', '!8', '!3'),
      fc.constantFrom('z', '%', 'i40'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''))

/**
 * Lua that renders any value as text without depending on table traversal order: numbers with "%.17g", strings in
 * hex, tables as their sorted "key=value" members.
 */
export const DUMP_FUNCTION = `local function dump(v, d)
  local t = type(v)
  if t == 'number' then return string.format('%.17g', v) end
  if t == 'string' then return 's' .. (v:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
  if t ~= 'table' then return tostring(v) end
  if d > 30 then return '{...}' end
  local parts = {}
  for k, x in pairs(v) do parts[#parts + 1] = dump(k, d + 1) .. '=' .. dump(x, d + 1) end
  table.sort(parts)
  return '{' .. table.concat(parts, ',') .. '}'
end
local function dumpAll(...)
  local out = {}
  for i = 1, select('#', ...) do out[i] = dump((select(i, ...)), 0) end
  return table.concat(out, ' | ')
end
`
