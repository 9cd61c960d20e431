/**
 * Redis's geohash arithmetic (geohash.c, geohash_helper.c), reproduced operation for operation so that scores,
 * decoded coordinates, distances and the cells a search visits are the doubles Redis computes.
 *
 * A position is a 52-bit interleaved geohash: 26 bits of latitude (in -85.05112878..85.05112878, the Web Mercator
 * range) in the even bits and 26 bits of longitude in the odd bits, stored as a sorted set score. Hashes here are
 * JS numbers (at most 2^53, exact); they are handled as two 32-bit halves where C shifts 64-bit integers.
 *
 * The distance uses correctly rounded sin, cos and asin (correctly-rounded-trig.ts), which agree with the glibc
 * functions redis-server calls far more often than Math's do.
 */
import { asinCR, cosCR, sinCR } from './correctly-rounded-trig.ts'

export const GEO_LONG_MIN = -180
export const GEO_LONG_MAX = 180
export const GEO_LAT_MIN = -85.05112878
export const GEO_LAT_MAX = 85.05112878
export const GEO_STEP_MAX = 26
const EARTH_RADIUS_IN_METERS = 6372797.560856
const MERCATOR_MAX = 20037726.37
const D_R = Math.PI / 180
const TWO_32 = 4294967296

/** A hash of `step` bits per coordinate (`bits` < 2^(2 step)). */
export interface GeoHashBits {
  readonly bits: number
  readonly step: number
}

interface Range {
  readonly min: number
  readonly max: number
}

export interface GeoHashArea {
  readonly longitude: Range
  readonly latitude: Range
}

const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX }
const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX }

function degRad(angle: number): number {
  return angle * D_R
}

function radDeg(angle: number): number {
  return angle / D_R
}

/** The bits of a 16-bit value spread to the even positions of 32 bits. */
function spread16(x: number): number {
  x = (x | (x << 8)) & 0x00ff00ff
  x = (x | (x << 4)) & 0x0f0f0f0f
  x = (x | (x << 2)) & 0x33333333
  x = (x | (x << 1)) & 0x55555555
  return x >>> 0
}

/** The even bits of a 32-bit value, packed into 16 bits. */
function squeeze32(x: number): number {
  x &= 0x55555555
  x = (x | (x >>> 1)) & 0x33333333
  x = (x | (x >>> 2)) & 0x0f0f0f0f
  x = (x | (x >>> 4)) & 0x00ff00ff
  x = (x | (x >>> 8)) & 0x0000ffff
  return x
}

/** interleave64(lat, lon): latitude in the even bits, longitude in the odd ones. Inputs are uint32. */
function interleave(lat: number, lon: number): number {
  const low = (spread16(lat & 0xffff) | (spread16(lon & 0xffff) << 1)) >>> 0
  const high = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0
  return high * TWO_32 + low
}

/** deinterleave64 of a 64-bit value given as two uint32 halves: [latitude index, longitude index]. */
function deinterleave(high: number, low: number): [number, number] {
  const lat = (squeeze32(low) | (squeeze32(high) << 16)) >>> 0
  const lon = (squeeze32(low >>> 1) | (squeeze32(high >>> 1) << 16)) >>> 0
  return [lat, lon]
}

/**
 * geohashEncode over the given ranges; null where Redis returns 0 (a coordinate outside the Mercator limits or the
 * ranges). The offsets are truncated to uint32 as C's conversion does.
 */
function encode(longRange: Range, latRange: Range, longitude: number, latitude: number, step: number) {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) {
    return null
  }
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) {
    return null
  }
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min)
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min)
  latOffset *= 2 ** step
  longOffset *= 2 ** step
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step }
}

/** geohashEncodeWGS84 at full precision, aligned to 52 bits: the score GEOADD stores. Coordinates must be valid. */
export function encodeScore(longitude: number, latitude: number): number {
  const hash = encode(LONG_RANGE, LAT_RANGE, longitude, latitude, GEO_STEP_MAX)
  return hash === null ? 0 : hash.bits
}

/** The standard geohash (latitude -90..90) at 26 steps, for GEOHASH's text. */
export function encodeStandard(longitude: number, latitude: number): number {
  const hash = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, longitude, latitude, GEO_STEP_MAX)
  return hash === null ? 0 : hash.bits
}

/** The two uint32 halves of `(uint64_t)score` as x86-64 code converts a double (scores need not be geohashes). */
function scoreHalves(score: number): [number, number] {
  if (Number.isInteger(score) && score >= 0 && score <= Number.MAX_SAFE_INTEGER) {
    const high = Math.floor(score / TWO_32)
    return [high, score - high * TWO_32]
  }
  let value: bigint
  const TWO_63 = 2 ** 63
  if (!(score < TWO_63)) {
    // NaN and values from 2^63: cvttsd2si of score - 2^63, with the top bit flipped (out of range gives 2^63).
    const shifted = score - TWO_63
    const converted = shifted < TWO_63 && shifted >= -TWO_63 ? BigInt(Math.trunc(shifted)) : -(2n ** 63n)
    value = BigInt.asUintN(64, converted) ^ (1n << 63n)
  } else {
    const converted = score >= -TWO_63 ? BigInt(Math.trunc(score)) : -(2n ** 63n)
    value = BigInt.asUintN(64, converted)
  }
  return [Number(value >> 32n), Number(value & 0xffffffffn)]
}

/** geohashDecode: the cell a hash names. */
export function decodeArea(hash: GeoHashBits): GeoHashArea {
  const high = Math.floor(hash.bits / TWO_32)
  return areaOf(high, hash.bits - high * TWO_32, hash.step)
}

function areaOf(high: number, low: number, step: number): GeoHashArea {
  const [ilato, ilono] = deinterleave(high, low)
  const latScale = LAT_RANGE.max - LAT_RANGE.min
  const longScale = LONG_RANGE.max - LONG_RANGE.min
  const cells = 2 ** step
  // `ilato + 1` is uint32 arithmetic in C: it wraps to 0.
  return {
    latitude: {
      min: LAT_RANGE.min + (ilato / cells) * latScale,
      max: LAT_RANGE.min + (((ilato + 1) >>> 0) / cells) * latScale,
    },
    longitude: {
      min: LONG_RANGE.min + (ilono / cells) * longScale,
      max: LONG_RANGE.min + (((ilono + 1) >>> 0) / cells) * longScale,
    },
  }
}

/** decodeGeohash: the [longitude, latitude] of a score, the centre of its cell clamped to the valid ranges. */
export function decodeScore(score: number): [number, number] {
  const [high, low] = scoreHalves(score)
  const area = areaOf(high, low, GEO_STEP_MAX)
  let x = (area.longitude.min + area.longitude.max) / 2
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN
  let y = (area.latitude.min + area.latitude.max) / 2
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN
  return [x, y]
}

/** geohashAlign52Bits. */
export function align52(hash: GeoHashBits): number {
  return hash.bits * 2 ** (52 - hash.step * 2)
}

export function latitudeDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1))
}

/** geohashGetDistance: Haversine on Redis's sphere, with its shortcut for equal longitudes. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1)
  const lon2r = degRad(lon2)
  const v = sinCR((lon2r - lon1r) / 2)
  if (v === 0) return latitudeDistance(lat1, lat2)
  const lat1r = degRad(lat1)
  const lat2r = degRad(lat2)
  const u = sinCR((lat2r - lat1r) / 2)
  const a = u * u + cosCR(lat1r) * cosCR(lat2r) * v * v
  return 2.0 * EARTH_RADIUS_IN_METERS * asinCR(Math.sqrt(a))
}

/** A search area: a circle of `radius`, or a `width` x `height` box, in the unit `conversion` converts to meters. */
export type GeoShape =
  | { kind: 'radius'; lon: number; lat: number; conversion: number; radius: number }
  | { kind: 'box'; lon: number; lat: number; conversion: number; width: number; height: number }

/** geoWithinShape: the distance in meters from the centre when the point is inside, else -1. */
export function distanceWithin(shape: GeoShape, lon: number, lat: number): number {
  if (shape.kind === 'radius') {
    const limit = shape.radius * shape.conversion
    if (clearlyBeyond(shape.lon, shape.lat, lon, lat, limit)) return -1
    const d = distance(shape.lon, shape.lat, lon, lat)
    return d > limit ? -1 : d
  }
  // Latitude distance is cheaper, so it is checked first, as Redis does.
  if (latitudeDistance(lat, shape.lat) > (shape.height * shape.conversion) / 2) return -1
  const halfWidth = (shape.width * shape.conversion) / 2
  if (clearlyBeyond(lon, lat, shape.lon, lat, halfWidth)) return -1
  if (distance(lon, lat, shape.lon, lat) > halfWidth) return -1
  return distance(shape.lon, shape.lat, lon, lat)
}

/**
 * Whether a point is farther than `limit` by more than any rounding could explain, judged with Math's functions
 * (a few units in the last place off): most candidates of a search are, and skip the correctly rounded distance.
 * The margin, a meter plus a billionth, covers the worst case, near-antipodal points, where asin near 1 magnifies a
 * last-place error of its argument to about 1e-8 of the distance.
 */
function clearlyBeyond(lon1: number, lat1: number, lon2: number, lat2: number, limit: number): boolean {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2)
  const u = Math.sin((degRad(lat2) - degRad(lat1)) / 2)
  const a = u * u + Math.cos(degRad(lat1)) * Math.cos(degRad(lat2)) * v * v
  const rough = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(Math.min(1, a)))
  return rough > limit * (1 + 1e-9) + 1
}

/** geohashEstimateStepsByRadius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26
  let step = 1
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2
    step++
  }
  step -= 2
  if (lat > 66 || lat < -66) {
    step--
    if (lat > 80 || lat < -80) step--
  }
  if (step < 1) step = 1
  if (step > 26) step = 26
  return step
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat, conversion } = shape
  const height = conversion * (shape.kind === 'radius' ? shape.radius : shape.height / 2)
  const width = conversion * (shape.kind === 'radius' ? shape.radius : shape.width / 2)
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS)
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(lat + latDelta)))
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(lat - latDelta)))
  const southern = lat < 0
  return [
    southern ? lon - longDeltaBottom : lon - longDeltaTop,
    lat - latDelta,
    southern ? lon + longDeltaBottom : lon + longDeltaTop,
    lat + latDelta,
  ]
}

/** The hash moved by (dx, dy) cells, wrapping around as geohash_move_x/y do. */
function moved(hash: GeoHashBits, dx: number, dy: number): GeoHashBits {
  const high = Math.floor(hash.bits / TWO_32)
  let [lat, lon] = deinterleave(high, hash.bits - high * TWO_32)
  const cells = 2 ** hash.step
  lon = (lon + dx + cells) % cells
  lat = (lat + dy + cells) % cells
  return { bits: interleave(lat, lon), step: hash.step }
}

/**
 * geohashCalculateAreasByShapeWGS84 and membersOfAllNeighbors' order: the cells to scan, centre first, then north,
 * south, east, west, north-east, north-west, south-east, south-west; a null is a neighbour Redis excluded. Each cell
 * is a score range [min, max).
 */
export function searchCells(shape: GeoShape): Array<GeoHashBits | null> {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape)
  const radiusMeters =
    (shape.kind === 'radius'
      ? shape.radius
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion
  let steps = estimateSteps(radiusMeters, shape.lat)
  let hash = encode(LONG_RANGE, LAT_RANGE, shape.lon, shape.lat, steps) as GeoHashBits
  const north = decodeArea(moved(hash, 0, 1))
  const south = decodeArea(moved(hash, 0, -1))
  const east = decodeArea(moved(hash, 1, 0))
  const west = decodeArea(moved(hash, -1, 0))
  const decrease =
    north.latitude.max < maxLat ||
    south.latitude.min > minLat ||
    east.longitude.max < maxLon ||
    west.longitude.min > minLon
  if (steps > 1 && decrease) {
    steps--
    hash = encode(LONG_RANGE, LAT_RANGE, shape.lon, shape.lat, steps) as GeoHashBits
  }
  const area = decodeArea(hash)
  let n: GeoHashBits | null = moved(hash, 0, 1)
  let s: GeoHashBits | null = moved(hash, 0, -1)
  let e: GeoHashBits | null = moved(hash, 1, 0)
  let w: GeoHashBits | null = moved(hash, -1, 0)
  let ne: GeoHashBits | null = moved(hash, 1, 1)
  let nw: GeoHashBits | null = moved(hash, -1, 1)
  let se: GeoHashBits | null = moved(hash, 1, -1)
  let sw: GeoHashBits | null = moved(hash, -1, -1)
  if (steps >= 2) {
    if (area.latitude.min < minLat) s = sw = se = null
    if (area.latitude.max > maxLat) n = ne = nw = null
    if (area.longitude.min < minLon) w = sw = nw = null
    if (area.longitude.max > maxLon) e = se = ne = null
  }
  return [hash, n, s, e, w, ne, nw, se, sw]
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz'

/** GEOHASH's 11-character text of a standard 52-bit hash (the 11th character is always '0'). */
export function geohashText(bits: number): string {
  let text = ''
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5
    text += GEO_ALPHABET[Math.floor(bits / 2 ** shift) % 32]
  }
  return `${text}0`
}
