/**
 * Geospatial commands with valid and invalid arguments (GEOADD .. GEOSEARCHSTORE), over the shared tiny keyspace so
 * they meet the sorted set commands (a geo index is a sorted set) and other types (WRONGTYPE). Points cluster around
 * a few places, so searches find some members and miss others, and sit on the edges of the valid ranges.
 */
import fc from 'fast-check'
import { type Args, type GenStep, key, single, weighted } from './common.ts'

const member = fc.constantFrom('p', 'q', 'r', 's', 't', 'Palermo', 'Catania', '')
/** Around Sicily, near the poles and the antimeridian, the range limits, and bad values. */
const lonLat = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.integer({ min: 120000, max: 160000 }), fc.integer({ min: 360000, max: 390000 }))
      .map(([x, y]) => [String(x / 10000), String(y / 10000)]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: -1800000, max: 1800000 }), fc.integer({ min: -850511, max: 850511 }))
      .map(([x, y]) => [String(x / 10000), String(y / 10000)]),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ['13.361389', '38.115556'],
      ['15.087269', '37.502669'],
      ['180', '85.05112878'],
      ['-180', '-85.05112878'],
      ['179.9999', '0'],
      ['-179.9999', '0'],
      ['0', '84.9'],
      ['0', '-0'],
      ['13.361389', '37.502669'],
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ['200', '0'],
      ['0', '85.06'],
      ['x', '1'],
      ['1', 'nan'],
      ['inf', '0'],
      ['1', ''],
      ['-180.5', '1'],
    ),
  },
)
const unit = fc.constantFrom('m', 'km', 'km', 'ft', 'mi', 'KM', 'Mi', 'bogus')
const radius = fc.constantFrom('0', '1', '100', '1000', '50', '200', '500', '5000', '0.5', '-1', 'x', '10000')
const count = fc.constantFrom('1', '2', '3', '0', '-1', 'x')

const geoadd = fc
  .tuple(
    key,
    fc.subarray(['NX', 'XX', 'CH'], { maxLength: 2 }),
    fc.array(fc.tuple(lonLat, member), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([k, opts, items, odd]) => {
    const args = ['GEOADD', k, ...opts, ...items.flatMap(([ll, m]) => [...ll, m])]
    if (odd) args.pop()
    return args
  })

/** Options of a search in any order, sometimes repeated or invalid. */
const searchOptions = fc.array(
  fc.oneof(
    fc.constant(['WITHDIST']),
    fc.constant(['WITHHASH']),
    fc.constant(['WITHCOORD']),
    fc.constant(['ASC']),
    fc.constant(['DESC']),
    fc.constant(['ANY']),
    count.map((c) => ['COUNT', c]),
  ),
  { maxLength: 4 },
)

const from = fc.oneof(
  member.map((m) => ['FROMMEMBER', m]),
  lonLat.map((ll) => ['FROMLONLAT', ...ll]),
)
const by = fc.oneof(
  fc.tuple(radius, unit).map(([r, u]) => ['BYRADIUS', r, u]),
  fc.tuple(radius, radius, unit).map(([w, h, u]) => ['BYBOX', w, h, u]),
)

const geosearch = fc
  .tuple(
    key,
    fc.array(fc.oneof({ weight: 4, arbitrary: from }, { weight: 4, arbitrary: by }), { minLength: 0, maxLength: 3 }),
    searchOptions,
  )
  .chain(([k, parts, opts]) =>
    fc
      .shuffledSubarray([...parts, ...opts], { minLength: parts.length + opts.length })
      .map((shuffled) => ['GEOSEARCH', k, ...shuffled.flat()]),
  )

const geosearchstore = fc
  .tuple(key, key, from, by, searchOptions, fc.constantFrom([], ['STOREDIST']))
  .map(([dst, src, f, b, opts, sd]) => ['GEOSEARCHSTORE', dst, src, ...f, ...b, ...opts.flat(), ...sd])

const storeOption = fc.constantFrom([], [], ['STORE', 'c'], ['STOREDIST', 'b'], ['STORE'])

const georadius = fc
  .tuple(fc.constantFrom('GEORADIUS', 'GEORADIUS_RO'), key, lonLat, radius, unit, searchOptions, storeOption)
  .map(([name, k, ll, r, u, opts, store]) => [name, k, ...ll, r, u, ...opts.flat(), ...store])

const georadiusByMember = fc
  .tuple(
    fc.constantFrom('GEORADIUSBYMEMBER', 'GEORADIUSBYMEMBER_RO'),
    key,
    member,
    radius,
    unit,
    searchOptions,
    storeOption,
  )
  .map(([name, k, m, r, u, opts, store]) => [name, k, m, r, u, ...opts.flat(), ...store])

/** Searches with COUNT ANY or without ASC/DESC reply in scan order, which must match Redis's too. */
export const geoCommands: fc.Arbitrary<GenStep[]> = weighted(
  [8, single(geoadd)],
  [
    2,
    single(
      fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]): Args => ['GEOPOS', k, ...ms]),
    ),
  ],
  [
    2,
    single(
      fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]): Args => ['GEOHASH', k, ...ms]),
    ),
  ],
  [
    2,
    single(
      fc
        .tuple(key, member, member, fc.constantFrom([], ['km'], ['mi'], ['ft'], ['m'], ['x'], ['km', 'x']))
        .map(([k, a, b, u]): Args => ['GEODIST', k, a, b, ...u]),
    ),
  ],
  [6, single(geosearch)],
  [2, single(geosearchstore)],
  [2, single(georadius)],
  [2, single(georadiusByMember)],
  [
    1,
    single(
      fc
        .tuple(key, fc.constantFrom('0', '-1', '1e15', '4503599627370496', '-inf', '1.5'), member)
        .map(([k, s, m]): Args => ['ZADD', k, s, m]),
    ),
  ],
  [1, single(key.map((k): Args => ['ZRANGE', k, '0', '-1', 'WITHSCORES']))],
)
