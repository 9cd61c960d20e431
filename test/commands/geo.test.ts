/**
 * Geospatial commands: replies recorded from redis-server 7.0.15 (see redis-cases.ts), and the arithmetic under them.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { asinCR, cosCR, sinCR } from '../../src/commands/correctly-rounded-trig.ts'
import {
  decodeScore,
  distance,
  distanceWithin,
  encodeScore,
  encodeStandard,
  geohashText,
  searchCells,
} from '../../src/commands/geohash.ts'
import { expectReplies } from './redis-cases.ts'

describe('geo commands', () => {
  it('add, read back, measure, search and store as Redis does', async () => {
    await expectReplies([
      [['GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ':2\r\n'],
      [['GEOADD', 'Sicily', 'NX', '13.361389', '38.115556', 'Palermo', '1', '1', 'new'], ':1\r\n'],
      [['GEOADD', 'Sicily', 'XX', 'CH', '13.4', '38.1', 'Palermo', '2', '2', 'other'], ':1\r\n'],
      [['ZSCORE', 'Sicily', 'Catania'], '$16\r\n3479447370796909\r\n'],
      [
        ['GEOPOS', 'Sicily', 'Palermo', 'Catania', 'nosuch'],
        '*3\r\n*2\r\n$20\r\n13.40000241994857788\r\n$20\r\n38.10000081174143105\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*-1\r\n',
      ],
      [['GEODIST', 'Sicily', 'Palermo', 'Catania', 'km'], '$8\r\n162.4846\r\n'],
      [
        ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'furlong'],
        '-ERR unsupported unit provided. please use M, KM, FT, MI\r\n',
      ],
      [
        ['GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nosuch'],
        '*3\r\n$11\r\nsqc88zvsdd0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n',
      ],
      [
        [
          'GEOSEARCH',
          'Sicily',
          'FROMLONLAT',
          '15',
          '37',
          'BYRADIUS',
          '200',
          'km',
          'ASC',
          'WITHCOORD',
          'WITHDIST',
          'WITHHASH',
        ],
        '*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n186.7460\r\n:3479099937378871\r\n*2\r\n$20\r\n13.40000241994857788\r\n$20\r\n38.10000081174143105\r\n',
      ],
      [
        ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'DESC', 'COUNT', '1'],
        '*1\r\n$7\r\nPalermo\r\n',
      ],
      [
        ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ANY'],
        '-ERR the ANY argument requires COUNT argument\r\n',
      ],
      [['GEOSEARCH', 'Sicily', 'BYRADIUS', '200', 'km'], "-ERR wrong number of arguments for 'geosearch' command\r\n"],
      [['GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'], ':2\r\n'],
      [
        ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
        '*4\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$7\r\nPalermo\r\n$18\r\n186.74597615283065\r\n',
      ],
      [
        ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst', 'WITHDIST'],
        '-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n',
      ],
      [['GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '10', 'km', 'STORE', 'dst'], '-ERR syntax error\r\n'],
      [['GEOADD', 'Sicily', '181', '0', 'bad'], '-ERR invalid longitude,latitude pair 181.000000,0.000000\r\n'],
      [['GEORADIUS', 'Sicily', '15', '37', '-5', 'km'], '-ERR radius cannot be negative\r\n'],
    ])
  })
})

describe('geohash arithmetic', () => {
  it('a score decodes to the centre of its cell, which encodes back to the same score', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -85.05112878, max: 85.05112878, noNaN: true }),
        (lon, lat) => {
          const score = encodeScore(lon, lat)
          // At the very top of the ranges the offset rounds up to 2^26 and sets bit 52 or 53, as in Redis.
          expect(Number.isInteger(score) && score >= 0 && score < 2 ** 54).toBe(true)
          const [x, y] = decodeScore(score)
          // The cell is 360 / 2^26 degrees wide and 170 / 2^26 high.
          expect(Math.abs(x - lon)).toBeLessThanOrEqual(360 / 2 ** 26)
          expect(Math.abs(y - lat)).toBeLessThanOrEqual(171 / 2 ** 26)
          expect(encodeScore(x, y)).toBe(score)
        },
      ),
      { seed: 16, numRuns: 2000 },
    )
  })

  it('the quick rejection never drops a point the exact distance keeps, antipodes and radius edges included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.boolean(),
        fc.constantFrom(0, 1e-15, -1e-15, 1e-9, -1e-9, 1e-6),
        (lon, lat, dlon, dlat, antipodal, skew) => {
          const x = antipodal ? (lon > 0 ? lon - 180 : lon + 180) + dlon * 1e-9 : dlon
          const y = antipodal ? -lat + dlat * 1e-9 : dlat
          const exact = distance(lon, lat, x, y)
          const limit = exact * (1 + skew)
          const got = distanceWithin({ kind: 'radius', lon, lat, radius: limit, conversion: 1 }, x, y)
          expect(got).toBe(exact <= limit ? exact : -1)
        },
      ),
      { seed: 42, numRuns: 3000 },
    )
  })

  it('GEOHASH text of a known place (Palermo: sqc8b49rny0 on geohash.org)', () => {
    const [lon, lat] = decodeScore(encodeScore(13.361389, 38.115556))
    expect(geohashText(encodeStandard(lon, lat))).toBe('sqc8b49rny0')
  })

  it('a search scans the centre cell first and never the same cell twice in a row', () => {
    const cells = searchCells({ kind: 'radius', lon: 15, lat: 37, radius: 200, conversion: 1000 })
    expect(cells).toHaveLength(9)
    expect(cells[0]).not.toBeNull()
    const tiny = searchCells({ kind: 'radius', lon: 15, lat: 37, radius: 0, conversion: 1 })
    expect(tiny[0]?.step).toBe(26)
  })
})

describe('correctly rounded sin, cos and asin', () => {
  it('match glibc on sample arguments (values from glibc 2.36 libm)', () => {
    expect(sinCR(0.5)).toBe(0.479425538604203)
    expect(cosCR(0.5)).toBe(0.8775825618903728)
    expect(sinCR(1.2)).toBe(0.9320390859672263)
    expect(cosCR(1.2)).toBe(0.3623577544766736)
    expect(sinCR(-2.9)).toBe(-0.23924932921398243)
    expect(cosCR(-2.9)).toBe(-0.9709581651495905)
    expect(sinCR(1e-5)).toBe(9.999999999833334e-6)
    expect(cosCR(1e-5)).toBe(0.99999999995)
    expect(asinCR(0.5 / 3)).toBe(0.16744807921968932)
    expect(asinCR(1.2 / 3)).toBe(0.411516846067488)
    expect(asinCR(1)).toBe(Math.PI / 2)
  })

  it('where V8 rounds the other way: cos of a latitude from a Redis distance', () => {
    // glibc: 0.18960697655270095; Math.cos gives 0.18960697655270098.
    expect(cosCR(79.07015130536121 * (Math.PI / 180))).toBe(0.18960697655270095)
  })

  it('stay within one unit in the last place of Math over the whole argument range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3.14, max: 3.14, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, s) => {
          const ulp = (v: number) => Math.max(Number.EPSILON * Math.abs(v), Number.MIN_VALUE)
          expect(Math.abs(sinCR(x) - Math.sin(x))).toBeLessThanOrEqual(ulp(Math.sin(x)))
          expect(Math.abs(cosCR(x) - Math.cos(x))).toBeLessThanOrEqual(ulp(Math.cos(x)) + Number.MIN_VALUE)
          expect(Math.abs(asinCR(s) - Math.asin(s))).toBeLessThanOrEqual(ulp(Math.asin(s)))
        },
      ),
      { seed: 7, numRuns: 3000 },
    )
  })
})
