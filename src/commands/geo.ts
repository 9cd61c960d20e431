/**
 * Geospatial commands (Redis 7.0 geo.c) over the sorted set: a position is stored as its 52-bit geohash score
 * (geohash.ts), so GEOADD is a ZADD and every other sorted set command works on the same key.
 *
 * Replies print as Redis prints them: distances with `%.4f` (a bulk string in both protocols), coordinates as the
 * long double conversion of the decoded double printed with `%.17Lf` and trailing zeros removed (a bulk string in
 * RESP2, a double in RESP3). Arguments are checked in Redis's order, and a search visits the same cells in the same
 * order, so unsorted results come out in Redis's order too.
 */
import { shrinkSortedSetIfSmall } from '../keyspace/encoding.ts'
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/keyspace-events.ts'
import { SortedSet } from '../keyspace/types/zset.ts'
import { DoubleReply, Errors, NIL_ARRAY, type Reply, ReplyError } from '../protocol/reply.ts'
import { formatF } from '../scripting/lua51/c-number-format.ts'
import { keyOf, parseInt64 } from './args.ts'
import { isCOption } from './c-options.ts'
import {
  align52,
  decodeScore,
  distanceWithin,
  distance as geoDistance,
  encodeScore,
  encodeStandard,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  type GeoShape,
  geohashText,
  searchCells,
} from './geohash.ts'
import { pqsort } from './pqsort.ts'
import { parseScore } from './score.ts'
import { type CommandContext, command } from './types.ts'
import { formatLongDouble } from './x87-long-double.ts'
import { memberReply, readZset } from './zset-common.ts'
import { zadd } from './zsets.ts'

// --- argument parsing ---

function doubleArg(arg: Buffer, message = 'value is not a valid float'): number {
  const value = parseScore(arg)
  if (value === null) throw new ReplyError(`ERR ${message}`)
  return value
}

/** extractLongLatOrReply: two floats inside the Mercator limits. */
function lonLatArg(argv: Buffer[], at: number): [number, number] {
  const lon = doubleArg(argv[at])
  const lat = doubleArg(argv[at + 1])
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new ReplyError(`ERR invalid longitude,latitude pair ${formatF(lon, 6)},${formatF(lat, 6)}`)
  }
  return [lon, lat]
}

/** extractUnitOrReply: meters per unit. */
function unitArg(arg: Buffer): number {
  if (isCOption(arg, 'M')) return 1
  if (isCOption(arg, 'KM')) return 1000
  if (isCOption(arg, 'FT')) return 0.3048
  if (isCOption(arg, 'MI')) return 1609.34
  throw new ReplyError('ERR unsupported unit provided. please use M, KM, FT, MI')
}

/** extractDistanceOrReply: [radius, meters per unit]. */
function radiusArg(argv: Buffer[], at: number): [number, number] {
  const radius = doubleArg(argv[at], 'need numeric radius')
  if (radius < 0) throw new ReplyError('ERR radius cannot be negative')
  return [radius, unitArg(argv[at + 1])]
}

/** extractBoxOrReply: [width, height, meters per unit]. */
function boxArg(argv: Buffer[], at: number): [number, number, number] {
  const width = doubleArg(argv[at], 'need numeric width')
  const height = doubleArg(argv[at + 1], 'need numeric height')
  if (height < 0 || width < 0) throw new ReplyError('ERR height or width cannot be negative')
  return [width, height, unitArg(argv[at + 2])]
}

// --- reply formatting ---

/** addReplyDoubleDistance: `%.4f`, a bulk string whatever the protocol. */
function distanceReply(meters: number): Buffer {
  return Buffer.from(formatF(meters, 4), 'latin1')
}

/** The exact long double of a finite double, for `%.17Lf`. */
function humanCoordinate(value: number): DoubleReply {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const high = view.getUint32(0)
  const biased = (high >>> 20) & 0x7ff
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4))
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  const exponent = (biased === 0 ? 1 : biased) - 1075
  const text = formatLongDouble({ kind: 'finite', negative: value < 0, mantissa, exponent })
  return new DoubleReply(value, text)
}

function coordinatesReply(lon: number, lat: number): Reply[] {
  return [humanCoordinate(lon), humanCoordinate(lat)]
}

// --- GEOADD, GEOPOS, GEODIST, GEOHASH ---

/** GEOADD key [NX|XX] [CH] lon lat member ...: checked here, then run as ZADD key [options] score member ... */
function geoadd(ctx: CommandContext): Reply {
  const { argv } = ctx
  let xx = false
  let nx = false
  let at = 2
  for (; at < argv.length; at++) {
    if (isCOption(argv[at], 'NX')) nx = true
    else if (isCOption(argv[at], 'XX')) xx = true
    else if (!isCOption(argv[at], 'CH')) break
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) throw Errors.syntax()
  const rewritten: Buffer[] = [Buffer.from('zadd'), ...argv.slice(1, at)]
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = lonLatArg(argv, i)
    rewritten.push(Buffer.from(String(encodeScore(lon, lat))), argv[i + 2])
  }
  return zadd(Object.create(ctx, { argv: { value: rewritten } }) as CommandContext)
}

function geopos(ctx: CommandContext): Reply {
  const { argv } = ctx
  const z = readZset(ctx.db, keyOf(argv, 1))
  const out: Reply[] = new Array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i].toString('latin1'))
    out[i - 2] = score === undefined ? NIL_ARRAY : coordinatesReply(...decodeScore(score))
  }
  return out
}

function geodist(ctx: CommandContext): Reply {
  const { argv } = ctx
  let toMeters = 1
  if (argv.length === 5) toMeters = unitArg(argv[4])
  else if (argv.length > 5) throw Errors.syntax()
  const z = readZset(ctx.db, keyOf(argv, 1))
  if (!z) return null
  const score1 = z.score(argv[2].toString('latin1'))
  const score2 = z.score(argv[3].toString('latin1'))
  if (score1 === undefined || score2 === undefined) return null
  const [lon1, lat1] = decodeScore(score1)
  const [lon2, lat2] = decodeScore(score2)
  return distanceReply(geoDistance(lon1, lat1, lon2, lat2) / toMeters)
}

function geohash(ctx: CommandContext): Reply {
  const { argv } = ctx
  const z = readZset(ctx.db, keyOf(argv, 1))
  const out: Reply[] = new Array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i].toString('latin1'))
    if (score === undefined) {
      out[i - 2] = null
      continue
    }
    // Stored hashes use latitudes -85..85; the standard text is re-encoded over -90..90.
    const [lon, lat] = decodeScore(score)
    out[i - 2] = Buffer.from(geohashText(encodeStandard(lon, lat)), 'latin1')
  }
  return out
}

// --- GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER ---

/** Which of georadiusGeneric's forms is running (its RADIUS_* and GEOSEARCH* flags). */
interface SearchForm {
  readonly from: 'coords' | 'member' | 'search'
  /** STORE / STOREDIST refused (the _RO forms). */
  readonly noStore: boolean
  /** GEOSEARCHSTORE: the destination is argv[1]. */
  readonly searchStore: boolean
}

interface GeoPoint {
  member: string
  dist: number
  score: number
  lon: number
  lat: number
}

const COULD_NOT_DECODE = 'ERR could not decode requested zset member'

function memberPosition(z: SortedSet, member: Buffer): [number, number] {
  const score = z.score(member.toString('latin1'))
  if (score === undefined) throw new ReplyError(COULD_NOT_DECODE)
  return decodeScore(score)
}

function searchGeneric(ctx: CommandContext, form: SearchForm): Reply {
  const { argv, db } = ctx
  const srcIndex = form.searchStore ? 2 : 1
  const z = readZset(db, keyOf(argv, srcIndex))

  let center: [number, number] | null = null
  let radius: [number, number] | null = null
  let box: [number, number, number] | null = null
  let base: number
  let storeKey: string | null = null
  if (form.from === 'coords') {
    base = 6
    center = lonLatArg(argv, 2)
    radius = radiusArg(argv, 4)
  } else if (form.from === 'member') {
    base = 5
    // Without the key Redis parses only the options, to know which empty reply to give.
    if (z) {
      center = memberPosition(z, argv[2])
      radius = radiusArg(argv, 3)
    }
  } else {
    base = form.searchStore ? 3 : 2
    if (form.searchStore) storeKey = keyOf(argv, 1)
  }

  let withDist = false
  let withHash = false
  let withCoords = false
  let fromMember = false
  let fromLonLat = false
  let byRadius = false
  let byBox = false
  let sort: 'none' | 'asc' | 'desc' = 'none'
  let any = false
  let count = 0
  let storeDist = false
  const isSearch = form.from === 'search'
  const remaining = argv.length - base
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i]
    if (isCOption(arg, 'WITHDIST')) withDist = true
    else if (isCOption(arg, 'WITHHASH')) withHash = true
    else if (isCOption(arg, 'WITHCOORD')) withCoords = true
    else if (isCOption(arg, 'ANY')) any = true
    else if (isCOption(arg, 'ASC')) sort = 'asc'
    else if (isCOption(arg, 'DESC')) sort = 'desc'
    else if (isCOption(arg, 'COUNT') && i + 1 < remaining) {
      const n = parseInt64(argv[base + i + 1])
      if (n === null) throw Errors.notInteger()
      if (n <= 0n) throw new ReplyError('ERR COUNT must be > 0')
      count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n)
      i++
    } else if (
      (isCOption(arg, 'STORE') || isCOption(arg, 'STOREDIST')) &&
      i + 1 < remaining &&
      !form.noStore &&
      !isSearch
    ) {
      storeKey = keyOf(argv, base + i + 1)
      storeDist = isCOption(arg, 'STOREDIST')
      i++
    } else if (isCOption(arg, 'STOREDIST') && isSearch && form.searchStore) {
      storeDist = true
    } else if (isCOption(arg, 'FROMMEMBER') && i + 1 < remaining && isSearch && !fromLonLat) {
      if (z) center = memberPosition(z, argv[base + i + 1])
      fromMember = true
      i++
    } else if (isCOption(arg, 'FROMLONLAT') && i + 2 < remaining && isSearch && !fromMember) {
      center = lonLatArg(argv, base + i + 1)
      fromLonLat = true
      i += 2
    } else if (isCOption(arg, 'BYRADIUS') && i + 2 < remaining && isSearch && !byBox) {
      radius = radiusArg(argv, base + i + 1)
      box = null
      byRadius = true
      i += 2
    } else if (isCOption(arg, 'BYBOX') && i + 3 < remaining && isSearch && !byRadius) {
      box = boxArg(argv, base + i + 1)
      byBox = true
      i += 3
    } else {
      throw Errors.syntax()
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = form.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'
    throw new ReplyError(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`)
  }
  const name = argv[0].toString('latin1')
  if (isSearch && !(fromMember || fromLonLat)) {
    throw new ReplyError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`)
  }
  if (isSearch && !(byRadius || byBox)) {
    throw new ReplyError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`)
  }
  if (any && count === 0) throw new ReplyError('ERR the ANY argument requires COUNT argument')

  const storeEvent = form.from === 'search' ? 'geosearchstore' : 'georadiusstore'
  if (!z) {
    if (storeKey !== null) {
      if (db.delete(storeKey)) db.notify(NOTIFY_GENERIC, 'del', storeKey)
      return 0
    }
    return []
  }
  if (count !== 0 && sort === 'none' && !any) sort = 'asc'

  const [lon, lat] = center as [number, number]
  const shape: GeoShape =
    box !== null
      ? { kind: 'box', lon, lat, width: box[0], height: box[1], conversion: box[2] }
      : {
          kind: 'radius',
          lon,
          lat,
          radius: (radius as [number, number])[0],
          conversion: (radius as [number, number])[1],
        }
  const points = pointsInShape(z, shape, any ? count : 0)

  if (points.length === 0 && storeKey === null) return []
  const returned = count === 0 || points.length < count ? points.length : count
  if (sort !== 'none') {
    const ascending = (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1)
    const compare = sort === 'asc' ? ascending : (a: GeoPoint, b: GeoPoint) => -ascending(a, b)
    // glibc's qsort is a stable merge sort, as Array.prototype.sort is; a partial sort is Redis's own pqsort.
    if (returned === points.length) points.sort(compare)
    else pqsort(points, compare, 0, returned - 1)
  }

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0)
    const out: Reply[] = new Array(returned)
    for (let i = 0; i < returned; i++) {
      const p = points[i]
      const member = memberReply(p.member)
      if (options === 0) {
        out[i] = member
        continue
      }
      const item: Reply[] = [member]
      if (withDist) item.push(distanceReply(p.dist / shape.conversion))
      if (withHash) item.push(Math.trunc(p.score))
      if (withCoords) item.push(coordinatesReply(p.lon, p.lat))
      out[i] = item
    }
    return out
  }

  if (returned === 0) {
    if (db.delete(storeKey)) db.notify(NOTIFY_GENERIC, 'del', storeKey)
    return 0
  }
  const stored = new SortedSet('skiplist')
  let longest = 0
  for (let i = 0; i < returned; i++) {
    const p = points[i]
    stored.set(p.member, storeDist ? p.dist / shape.conversion : p.score)
    if (p.member.length > longest) longest = p.member.length
  }
  shrinkSortedSetIfSmall(stored, ctx.engine.config, longest)
  db.set(storeKey, stored)
  db.notify(NOTIFY_ZSET, storeEvent, storeKey)
  return returned
}

/**
 * membersOfAllNeighbors: the members of each cell (a score range) inside the shape, cells in Redis's order, a cell
 * equal to the last one scanned skipped, stopping at `limit` points when it is not 0 (ANY).
 */
function pointsInShape(z: SortedSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchCells(shape)
  const points: GeoPoint[] = []
  let lastProcessed = 0
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]
    if (cell === null) continue
    const last = cells[lastProcessed]
    // Redis compares with the last scanned cell only once one other than the centre was scanned.
    if (lastProcessed !== 0 && last !== null && cell.bits === last.bits && cell.step === last.step) continue
    if (points.length > 0 && limit !== 0 && points.length >= limit) break
    const min = align52(cell)
    const max = align52({ bits: cell.bits + 1, step: cell.step })
    const rank = z.rankOf((score) => score >= min)
    for (const c = z.at(rank); c.valid && c.score < max; c.next()) {
      const [lon, lat] = decodeScore(c.score)
      const dist = distanceWithin(shape, lon, lat)
      if (dist >= 0) points.push({ member: c.member, dist, score: c.score, lon, lat })
      if (points.length > 0 && limit !== 0 && points.length >= limit) break
    }
    lastProcessed = i
  }
  return points
}

const COORDS: SearchForm = { from: 'coords', noStore: false, searchStore: false }
const COORDS_RO: SearchForm = { from: 'coords', noStore: true, searchStore: false }
const MEMBER: SearchForm = { from: 'member', noStore: false, searchStore: false }
const MEMBER_RO: SearchForm = { from: 'member', noStore: true, searchStore: false }
const SEARCH: SearchForm = { from: 'search', noStore: false, searchStore: false }
const SEARCH_STORE: SearchForm = { from: 'search', noStore: false, searchStore: true }

/**
 * The keys as Redis 7.0's key specs find them (COMMAND GETKEYS prefers specs to georadiusGetKeys): the source, then
 * the argument after the first STORE and after the first STOREDIST at or after `startFrom`, a keyword in the last
 * position not counting.
 */
function radiusKeys(startFrom: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const keys = [1]
    for (const keyword of ['STORE', 'STOREDIST']) {
      for (let i = startFrom; i < argv.length - 1; i++) {
        if (isCOption(argv[i], keyword)) {
          keys.push(i + 1)
          break
        }
      }
    }
    return keys
  }
}

const WRITE = ['write', 'geo', 'slow']
const READ = ['read', 'geo', 'slow']

export const geoCommands = [
  command('geoadd', -5, ['write', 'denyoom'], [1, 1, 1], WRITE, geoadd),
  command('geodist', -4, ['readonly'], [1, 1, 1], READ, geodist),
  command('geohash', -2, ['readonly'], [1, 1, 1], READ, geohash),
  command('geopos', -2, ['readonly'], [1, 1, 1], READ, geopos),
  command('georadius', -6, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], WRITE, (ctx) => searchGeneric(ctx, COORDS), {
    getKeys: radiusKeys(6),
  }),
  command('georadius_ro', -6, ['readonly'], [1, 1, 1], READ, (ctx) => searchGeneric(ctx, COORDS_RO)),
  command(
    'georadiusbymember',
    -5,
    ['write', 'denyoom', 'movablekeys'],
    [1, 1, 1],
    WRITE,
    (ctx) => searchGeneric(ctx, MEMBER),
    { getKeys: radiusKeys(5) },
  ),
  command('georadiusbymember_ro', -5, ['readonly'], [1, 1, 1], READ, (ctx) => searchGeneric(ctx, MEMBER_RO)),
  command('geosearch', -7, ['readonly'], [1, 1, 1], READ, (ctx) => searchGeneric(ctx, SEARCH)),
  command('geosearchstore', -8, ['write', 'denyoom'], [1, 2, 1], WRITE, (ctx) => searchGeneric(ctx, SEARCH_STORE)),
]
