/**
 * Geospatial commands against redis-server 7.0.15: fixed cases for the formats and errors, then generated sequences
 * (RESP2 and RESP3, with MULTI/EXEC and the other key commands mixed in) that must get byte-identical replies.
 * REDSIM_DIFF_RUNS sets the number of sequences (default 100); DIFF_SEED replays a reported seed.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { eitherProtocol, sequenceOf } from './generators/common.ts'
import { geoCommands } from './generators/geo.ts'
import { resetThresholds } from './generators/object.ts'
import { describeDifferential, differentialCases, type StepInput } from './harness.ts'

const runs = Number(process.env.REDSIM_DIFF_RUNS ?? 100)
const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED)

/** A deterministic cloud of points (a fixed linear congruential sequence), dense enough for ties and partial sorts. */
function cloud(key: string, n: number, lon0: number, lat0: number, spread: number): string[] {
  let state = 12345
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  const args = ['GEOADD', key]
  for (let i = 0; i < n; i++) {
    const lon = Math.max(-180, Math.min(180, lon0 + (next() - 0.5) * spread))
    const lat = Math.max(-85, Math.min(85, lat0 + (next() - 0.5) * spread))
    args.push(lon.toFixed(6), lat.toFixed(6), `m${i}`)
  }
  // Some points twice under other names: equal distances, so the sort's treatment of ties shows.
  args.push(args[2], args[3], 'twin0', args[5], args[6], 'twin1', args[2], args[3], 'twin2')
  return args
}

const searchesOverCloud = (key: string, lon: number, lat: number): string[][] =>
  ['1', '10', '50', '200', '1000', '5000'].flatMap((r) => [
    ['GEOSEARCH', key, 'FROMLONLAT', String(lon), String(lat), 'BYRADIUS', r, 'km'],
    ['GEOSEARCH', key, 'FROMLONLAT', String(lon), String(lat), 'BYRADIUS', r, 'km', 'ASC', 'WITHDIST', 'COUNT', '7'],
    ['GEOSEARCH', key, 'FROMLONLAT', String(lon), String(lat), 'BYRADIUS', r, 'km', 'DESC', 'COUNT', '5'],
    ['GEOSEARCH', key, 'FROMLONLAT', String(lon), String(lat), 'BYRADIUS', r, 'km', 'COUNT', '3', 'ANY'],
    ['GEOSEARCH', key, 'FROMMEMBER', 'm3', 'BYBOX', r, String(Number(r) / 2), 'km', 'WITHCOORD'],
    ['GEOSEARCH', key, 'FROMMEMBER', 'twin0', 'BYRADIUS', r, 'km', 'ASC', 'COUNT', '4'],
  ])

const sicily =
  'GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.758489 38.788135 edge1 17.241510 38.788135 edge2'

/** What a PSUBSCRIBE * client receives while `commands` run under notify-keyspace-events `classes`. */
function events(classes: string, commands: StepInput[]): StepInput[] {
  return [
    ['CONFIG', 'SET', 'notify-keyspace-events', classes],
    { args: ['PSUBSCRIBE', '*'], client: 1 },
    ...commands,
    { raw: 'QUIT\r\n', replies: 'close', client: 1 },
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
  ]
}

describeDifferential('differential: geospatial commands', (pair) => {
  differentialCases(pair, {
    'keyspace events of GEOADD and the store forms (generic, zset, stream and new-key classes)': events('KEgztn', [
      'GEOADD geo 1 1 a',
      'GEOSEARCHSTORE dst geo FROMLONLAT 1 1 BYRADIUS 10 km',
      'GEOSEARCHSTORE dst geo FROMLONLAT 50 1 BYRADIUS 10 km',
      'GEORADIUS geo 1 1 10 km STORE dst2',
      'GEORADIUS nokey 1 1 10 km STORE dst2',
    ]),
    'GEOADD options, scores and errors': [
      sicily,
      'ZRANGE Sicily 0 -1 WITHSCORES',
      'GEOADD Sicily NX 13.361389 38.115556 Palermo 1 1 new',
      'GEOADD Sicily XX CH 13.4 38.1 Palermo 1 1 other',
      'GEOADD Sicily CH 13.5 38.1 Palermo',
      'GEOADD Sicily NX XX 1 1 x',
      'GEOADD Sicily 1 1',
      'GEOADD Sicily GT 1 1 x',
      'GEOADD Sicily 200 1 x',
      'GEOADD Sicily 1 85.06 x',
      'GEOADD Sicily 180.0078125 1 x',
      'GEOADD Sicily x 1 m',
      'GEOADD Sicily 180 85.05112878 max -180 -85.05112878 min 0 0 zero',
      'GEOPOS Sicily max min zero nosuch',
      'GEOHASH Sicily max min zero nosuch Palermo',
      'OBJECT ENCODING Sicily',
      'TYPE Sicily',
      'SET s x',
      'GEOADD s 1 1 x',
      'GEOPOS s x',
    ],
    'GEOPOS, GEODIST and GEOHASH': [
      sicily,
      'GEOPOS Sicily Palermo Catania nosuch',
      'GEOPOS nokey a',
      'GEODIST Sicily Palermo Catania',
      'GEODIST Sicily Palermo Catania km',
      'GEODIST Sicily Palermo Catania MI',
      'GEODIST Sicily Palermo Catania ft',
      'GEODIST Sicily Palermo Catania yards',
      'GEODIST Sicily Palermo Catania km extra',
      'GEODIST Sicily Palermo nosuch',
      'GEODIST nokey a b',
      'GEOHASH Sicily Palermo Catania',
      'GEOHASH nokey a',
      'ZADD Sicily -5 neg 1.5 frac 9007199254740992 huge',
      'GEOPOS Sicily neg frac huge',
      'GEOHASH Sicily neg frac huge',
      'GEODIST Sicily neg huge',
      { args: ['HELLO', '3'], normalize: (reply: string) => reply.replace(/id\r\n:\d+/, 'id\r\n:<id>') },
      'GEOPOS Sicily Palermo nosuch',
      'GEODIST Sicily Palermo Catania',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km WITHCOORD WITHDIST WITHHASH',
    ],
    'GEOSEARCH forms': [
      sicily,
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC',
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km DESC WITHCOORD WITHDIST WITHHASH',
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km',
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km COUNT 2',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km COUNT 1 ANY',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 300 mi COUNT 3 DESC',
      'GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 200 km',
      'GEOSEARCH nokey FROMMEMBER nosuch BYRADIUS 200 km',
      'GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 200 km',
      'GEOSEARCH Sicily BYRADIUS 200 km',
      'geosearch Sicily FROMMEMBER Palermo COUNT 1',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km BYBOX 1 1 km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km ANY',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km COUNT 0',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km COUNT x',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS -1 km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS x km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYBOX x 1 km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 x km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 -1 km',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 1 parsecs',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km STOREDIST',
      'GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km STORE x',
      'GEOSEARCH Sicily FROMLONLAT 200 1 BYRADIUS 200 km',
      'GEOSEARCH Sicily FROMLONLAT 1 BYRADIUS 200 km',
      'GEOSEARCH Sicily FROMLONLAT 0 0 BYRADIUS 0 km',
      'GEOSEARCH Sicily FROMLONLAT 13.361389 38.115556 BYRADIUS 0 m',
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 20000 km WITHDIST',
      'GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 40000 40000 km WITHDIST',
    ],
    GEOSEARCHSTORE: [
      sicily,
      'GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km',
      'ZRANGE dst 0 -1 WITHSCORES',
      'OBJECT ENCODING dst',
      'GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST COUNT 1',
      'ZRANGE dst 0 -1 WITHSCORES',
      'GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST',
      'GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 1 m',
      'EXISTS dst',
      'SET dst x',
      'GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 1 m',
      'EXISTS dst',
      'SET dst x',
      'GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYBOX 500 500 km DESC',
      'TYPE dst',
      'ZRANGE dst 0 -1 WITHSCORES',
      'GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYBOX 500 500 km STORE x',
    ],
    'GEORADIUS and GEORADIUSBYMEMBER': [
      sicily,
      'GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD ASC',
      'GEORADIUS Sicily 15 37 200 km COUNT 1',
      'GEORADIUS_RO Sicily 15 37 200 km WITHHASH DESC',
      'GEORADIUS Sicily 15 37 200 km STORE dst',
      'ZRANGE dst 0 -1 WITHSCORES',
      'GEORADIUS Sicily 15 37 200 km STOREDIST dst2',
      'ZRANGE dst2 0 -1 WITHSCORES',
      'GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST',
      'GEORADIUS_RO Sicily 15 37 200 km STORE dst',
      'GEORADIUS Sicily 15 37 200 km FROMMEMBER x',
      'GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST',
      'GEORADIUSBYMEMBER Sicily nosuch 200 km',
      'GEORADIUSBYMEMBER nokey nosuch x km',
      'GEORADIUSBYMEMBER nokey nosuch x km STORE dst',
      'EXISTS dst',
      'GEORADIUSBYMEMBER_RO Sicily Palermo 100 km WITHCOORD',
      'GEORADIUS Sicily 15 37 -1 km',
      'GEORADIUS Sicily 15 37 1 furlong',
      'GEORADIUS Sicily 15 100 1 km',
      'GEORADIUS nokey 15 37 1 km',
      'COMMAND GETKEYS GEORADIUS Sicily 15 37 1 km STORE a STOREDIST b',
    ],
    'searches near the poles, the antimeridian and with huge radii': [
      'GEOADD w 179.99 0 e1 -179.99 0 e2 0 85 n1 90 85 n2 -90 -85 s1 179.5 84.9 c1 -179.5 -84.9 c2 0 0 o',
      'GEOSEARCH w FROMLONLAT 180 0 BYRADIUS 10 km WITHDIST',
      'GEOSEARCH w FROMLONLAT -180 0 BYRADIUS 100 km',
      'GEOSEARCH w FROMLONLAT 0 85 BYRADIUS 5000 km WITHDIST',
      'GEOSEARCH w FROMLONLAT 0 -85 BYBOX 10000 1000 km WITHDIST',
      'GEOSEARCH w FROMLONLAT 0 0 BYRADIUS 30000 km',
      'GEOSEARCH w FROMLONLAT 0 0 BYRADIUS 30000 km COUNT 3 ANY',
      'GEOSEARCH w FROMLONLAT 0 0 BYBOX 40000 40000 km COUNT 4',
      'GEORADIUS w 0 0 7000 km',
      'GEORADIUS w 10 80 5000 km',
    ],
    'a dense cloud near Sicily (listpack, then skiplist)': [
      cloud('small', 100, 14, 37.5, 4),
      'OBJECT ENCODING small',
      ...searchesOverCloud('small', 14, 37.5),
      cloud('big', 400, 14, 37.5, 4),
      'OBJECT ENCODING big',
      ...searchesOverCloud('big', 14.2, 37.3),
    ],
    'a world-wide cloud and one at high latitude': [
      cloud('world', 600, 0, 0, 360),
      ...searchesOverCloud('world', 10, 10),
      ...searchesOverCloud('world', -170, -60),
      cloud('north', 300, 20, 75, 20),
      ...searchesOverCloud('north', 20, 80),
      'GEOSEARCHSTORE dst north FROMLONLAT 20 80 BYRADIUS 500 km STOREDIST',
      'ZRANGE dst 0 -1 WITHSCORES',
      'GEORADIUS world 0 0 3000 km STORE dst2',
      'ZRANGE dst2 0 -1 WITHSCORES',
    ],
  })

  it(`redsim and redis-server agree on ${runs} generated geo sequences`, async () => {
    const sequences = eitherProtocol(sequenceOf(geoCommands, { prefix: resetThresholds }))
    await fc.assert(
      fc.asyncProperty(sequences, async (steps) => {
        await pair().expectSame(steps)
      }),
      { numRuns: runs, seed, endOnFailure: false },
    )
  }, 600_000)
})
