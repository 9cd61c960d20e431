import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatDouble, formatG, formatG17 } from '../../src/protocol/resp-encoder.ts'

/**
 * Expected strings come from C's printf("%.*g") (glibc, through CPython's % operator, which rounds the exact binary
 * value the same way): an independent implementation, not this one.
 */
const PRECISIONS = [1, 3, 6, 14, 17]
/** Values as text (a/b means a divided by b) so that every literal is exactly what C's strtod sees. */
const PRINTF_G: Array<[string, string[]]> = [
  ['0.1', ['0.1', '0.1', '0.1', '0.1', '0.10000000000000001']],
  ['0.5', ['0.5', '0.5', '0.5', '0.5', '0.5']],
  ['1.5', ['2', '1.5', '1.5', '1.5', '1.5']],
  ['2.5', ['2', '2.5', '2.5', '2.5', '2.5']],
  ['0.25', ['0.2', '0.25', '0.25', '0.25', '0.25']],
  ['0.125', ['0.1', '0.125', '0.125', '0.125', '0.125']],
  ['1e21', ['1e+21', '1e+21', '1e+21', '1e+21', '1e+21']],
  ['1e-5', ['1e-05', '1e-05', '1e-05', '1e-05', '1.0000000000000001e-05']],
  ['0.00012345', ['0.0001', '0.000123', '0.00012345', '0.00012345', '0.00012344999999999999']],
  ['123456', ['1e+05', '1.23e+05', '123456', '123456', '123456']],
  ['1234567', ['1e+06', '1.23e+06', '1.23457e+06', '1234567', '1234567']],
  ['3.25159', ['3', '3.25', '3.25159', '3.25159', '3.2515900000000002']],
  ['-2.5', ['-2', '-2.5', '-2.5', '-2.5', '-2.5']],
  ['1/3', ['0.3', '0.333', '0.333333', '0.33333333333333', '0.33333333333333331']],
  ['2/3', ['0.7', '0.667', '0.666667', '0.66666666666667', '0.66666666666666663']],
  ['1e100', ['1e+100', '1e+100', '1e+100', '1e+100', '1e+100']],
  ['5e-324', ['5e-324', '4.94e-324', '4.94066e-324', '4.9406564584125e-324', '4.9406564584124654e-324']],
  ['1.7976931348623157e308', ['2e+308', '1.8e+308', '1.79769e+308', '1.7976931348623e+308', '1.7976931348623157e+308']],
  ['100', ['1e+02', '100', '100', '100', '100']],
  ['1e16', ['1e+16', '1e+16', '1e+16', '1e+16', '10000000000000000']],
  ['12345678901234567890', ['1e+19', '1.23e+19', '1.23457e+19', '1.2345678901235e+19', '1.2345678901234567e+19']],
  ['1.25e-7', ['1e-07', '1.25e-07', '1.25e-07', '1.25e-07', '1.2499999999999999e-07']],
  ['9.5', ['1e+01', '9.5', '9.5', '9.5', '9.5']],
  ['0.95', ['0.9', '0.95', '0.95', '0.95', '0.94999999999999996']],
  ['1234567890123450', ['1e+15', '1.23e+15', '1.23457e+15', '1.2345678901234e+15', '1234567890123450']],
  ['1000000000000000.25', ['1e+15', '1e+15', '1e+15', '1e+15', '1000000000000000.2']],
  ['123456789012345', ['1e+14', '1.23e+14', '1.23457e+14', '1.2345678901234e+14', '123456789012345']],
  ['-0', ['-0', '-0', '-0', '-0', '-0']],
  ['1e15', ['1e+15', '1e+15', '1e+15', '1e+15', '1000000000000000']],
  ['1e17', ['1e+17', '1e+17', '1e+17', '1e+17', '1e+17']],
  ['1.1', ['1', '1.1', '1.1', '1.1', '1.1000000000000001']],
  ['-1.1', ['-1', '-1.1', '-1.1', '-1.1', '-1.1000000000000001']],
  ['2.675', ['3', '2.67', '2.675', '2.675', '2.6749999999999998']],
  ['1e-320', ['1e-320', '1e-320', '9.99989e-321', '9.9998886718268e-321', '9.9998886718268301e-321']],
  ['4.35', ['4', '4.35', '4.35', '4.35', '4.3499999999999996']],
  ['3e-5', ['3e-05', '3e-05', '3e-05', '3e-05', '3.0000000000000001e-05']],
  ['1/7', ['0.1', '0.143', '0.142857', '0.14285714285714', '0.14285714285714285']],
  ['0.000099999', ['0.0001', '0.0001', '9.9999e-05', '9.9999e-05', '9.9999000000000003e-05']],
  ['999999.5', ['1e+06', '1e+06', '1e+06', '999999.5', '999999.5']],
  ['99999.95', ['1e+05', '1e+05', '99999.9', '99999.95', '99999.949999999997']],
]

describe('formatG matches C printf %.Ng', () => {
  for (const [text, expected] of PRINTF_G) {
    const [num, den] = text.split('/')
    const value = den === undefined ? Number(num) : Number(num) / Number(den)
    PRECISIONS.forEach((p, i) => {
      it(`%.${p}g of ${text} -> ${expected[i]}`, () => {
        expect(formatG(value, p)).toBe(expected[i])
      })
    })
  }

  it('rounds exact ties to even where JavaScript rounds up', () => {
    // 1000000000000000.25 is exactly representable: the 18th digit is a 5 with nothing after it.
    const tie = Number('1000000000000000.25')
    expect(tie.toPrecision(17)).toBe('1000000000000000.3')
    expect(formatG(tie, 17)).toBe('1000000000000000.2')
    expect(formatG(0.375, 2)).toBe('0.38')
    expect(formatG(0.125, 2)).toBe('0.12')
  })

  it('treats precision 0 as 1, as C does', () => {
    expect(formatG(2.5, 0)).toBe('2')
    expect(formatG(123, 0)).toBe('1e+02')
  })

  it('prints non-finite values as glibc does', () => {
    expect(formatG(Number.POSITIVE_INFINITY, 17)).toBe('inf')
    expect(formatG(Number.NEGATIVE_INFINITY, 17)).toBe('-inf')
    expect(formatG(Number.NaN, 17)).toBe('nan')
  })

  it('%.17g round-trips every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(formatG17(x)), x)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('agrees with toPrecision (exact rounding) except on exact ties', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }),
        fc.integer({ min: 1, max: 17 }),
        (x, p) => {
          fc.pre(x !== 0)
          if (Number(formatG(x, p)) === Number(x.toPrecision(p))) return
          // They may only differ when x lies exactly half-way: its digits after the p-th are 5 then zeros.
          const digits = Math.abs(x).toPrecision(100).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '')
          expect(digits.slice(p)).toMatch(/^50*$/)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('ties to even: exactly representable halves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 1, max: 8 }), (n, k) => {
        // n + 0.5 with n having k digits is a tie at precision k.
        const m = n % 10 ** k || 1
        const x = m + 0.5
        const p = String(m).length
        const expected = m % 2 === 0 ? m : m + 1
        expect(Number(formatG(x, p))).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })
})

describe('formatDouble (RESP3 doubles, Redis 7.0)', () => {
  it('uses %.17g and spells the non-finite values', () => {
    expect(formatDouble(1.5)).toBe('1.5')
    expect(formatDouble(0.1)).toBe('0.10000000000000001')
    expect(formatDouble(Number.POSITIVE_INFINITY)).toBe('inf')
    expect(formatDouble(Number.NEGATIVE_INFINITY)).toBe('-inf')
    expect(formatDouble(Number.NaN)).toBe('nan')
    expect(formatDouble(-0)).toBe('-0')
  })
})
