/**
 * sin, cos and asin rounded correctly to the nearest double, for the geo distance formula.
 *
 * Why not Math.sin: V8's fdlibm-derived functions may be one unit in the last place off, where glibc's (which
 * redis-server calls) are almost always correctly rounded; a distance then differs in its 17th digit, which
 * GEOSEARCHSTORE's STOREDIST scores show. So the functions are evaluated in double-double arithmetic (about 106
 * bits) by their Taylor series, and the result rounded once: they agree with glibc wherever glibc rounds correctly.
 * asin refines Math.asin's estimate by one Newton step on sin(y) = s, computed the same way.
 *
 * Arguments are reduced by a table of sin and cos of k/64 (k/64 nearest to x, so |x - k/64| <= 1/128 is exact),
 * then a short series: a few hundred floating-point operations a call. The geo formula's arguments are |x| <= pi;
 * larger ones fall back to Math.
 */

const SPLITTER = 134217729 // 2^27 + 1, Dekker's split of a double into two 26-bit halves
const TERMS = 60

/** 1/n! as double-double (hi, lo), for n up to TERMS. */
const INV_FACT_HI = new Float64Array(TERMS + 1)
const INV_FACT_LO = new Float64Array(TERMS + 1)

// Scratch results of the double-double operations (no allocation on the distance path).
let rh = 0
let rl = 0

function twoProduct(a: number, b: number): void {
  const p = a * b
  let t = SPLITTER * a
  const ah = t - (t - a)
  const al = a - ah
  t = SPLITTER * b
  const bh = t - (t - b)
  const bl = b - bh
  rh = p
  rl = ah * bh - p + ah * bl + al * bh + al * bl
}

/** (ah, al) * (bh, bl) into rh, rl. */
function mulDD(ah: number, al: number, bh: number, bl: number): void {
  twoProduct(ah, bh)
  const lo = rl + (ah * bl + al * bh)
  const hi = rh + lo
  rl = lo - (hi - rh)
  rh = hi
}

/** (ah, al) + (bh, bl) into rh, rl. */
function addDD(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh
  const v = s - ah
  const e = ah - (s - v) + (bh - v) + al + bl
  rh = s + e
  rl = e - (rh - s)
}

/** (ah, al) / n for a small integer n, into rh, rl. */
function divInt(ah: number, al: number, n: number): void {
  const q1 = ah / n
  twoProduct(q1, n)
  const remainder = ah - rh - rl + al
  const q2 = remainder / n
  rh = q1 + q2
  rl = q2 - (rh - q1)
}

{
  INV_FACT_HI[0] = 1
  INV_FACT_LO[0] = 0
  for (let n = 1; n <= TERMS; n++) {
    divInt(INV_FACT_HI[n - 1], INV_FACT_LO[n - 1], n)
    INV_FACT_HI[n] = rh
    INV_FACT_LO[n] = rl
  }
}

let sinHi = 0
let sinLo = 0
let cosHi = 0
let cosLo = 0

/**
 * sin and cos of the double-double (xh, xl) by their Taylor series, into sinHi/Lo and cosHi/Lo. Slow (dozens of
 * terms): it only builds the table below.
 */
function sinCosSeries(xh: number, xl: number): void {
  let sh = 0
  let sl = 0
  let ch = 1
  let cl = 0
  let ph = 1
  let pl = 0
  for (let n = 1; n <= TERMS; n++) {
    mulDD(ph, pl, xh, xl)
    ph = rh
    pl = rl
    mulDD(ph, pl, INV_FACT_HI[n], INV_FACT_LO[n])
    const negative = (n & 3) === 2 || (n & 3) === 3
    const th = negative ? -rh : rh
    const tl = negative ? -rl : rl
    if ((n & 1) === 1) {
      addDD(sh, sl, th, tl)
      sh = rh
      sl = rl
    } else {
      addDD(ch, cl, th, tl)
      ch = rh
      cl = rl
    }
  }
  sinHi = sh
  sinLo = sl
  cosHi = ch
  cosLo = cl
}

/** sin and cos of k/64 for k = 0 .. 202 (past pi), as double-doubles. */
const STEPS = 64
const TABLE_SIZE = 203
const SIN_K_HI = new Float64Array(TABLE_SIZE)
const SIN_K_LO = new Float64Array(TABLE_SIZE)
const COS_K_HI = new Float64Array(TABLE_SIZE)
const COS_K_LO = new Float64Array(TABLE_SIZE)
for (let k = 0; k < TABLE_SIZE; k++) {
  sinCosSeries(k / STEPS, 0)
  SIN_K_HI[k] = sinHi
  SIN_K_LO[k] = sinLo
  COS_K_HI[k] = cosHi
  COS_K_LO[k] = cosLo
}

/**
 * sin and cos of a = k/64 + t (k from the table, |t| <= 1/128, t exact in a double) by the addition formulas, the
 * short series of t (seven terms reach 2^-106) evaluated by Horner's rule in t^2.
 */
function sinCosReduced(a: number): number {
  const k = Math.round(a * STEPS)
  const t = a - k / STEPS
  twoProduct(t, t)
  const t2h = rh
  const t2l = rl
  // In u = -t^2: sin(t)/t = sum u^j / (2j+1)!, cos(t) = sum u^j / (2j)!
  let sh = INV_FACT_HI[13]
  let sl = INV_FACT_LO[13]
  let ch = INV_FACT_HI[12]
  let cl = INV_FACT_LO[12]
  for (let j = 5; j >= 0; j--) {
    mulDD(sh, sl, -t2h, -t2l)
    addDD(rh, rl, INV_FACT_HI[2 * j + 1], INV_FACT_LO[2 * j + 1])
    sh = rh
    sl = rl
    mulDD(ch, cl, -t2h, -t2l)
    addDD(rh, rl, INV_FACT_HI[2 * j], INV_FACT_LO[2 * j])
    ch = rh
    cl = rl
  }
  mulDD(sh, sl, t, 0)
  sinHi = rh
  sinLo = rl
  cosHi = ch
  cosLo = cl
  return k
}

/** sin(x) rounded to nearest. */
export function sinCR(x: number): number {
  const a = Math.abs(x)
  if (a === 0 || !(a < 3.15)) return Math.sin(x)
  const k = sinCosReduced(a)
  // sin(k/64 + t) = sin(k/64) cos(t) + cos(k/64) sin(t)
  const st = sinHi
  const stl = sinLo
  mulDD(SIN_K_HI[k], SIN_K_LO[k], cosHi, cosLo)
  const ph = rh
  const pl = rl
  mulDD(COS_K_HI[k], COS_K_LO[k], st, stl)
  addDD(ph, pl, rh, rl)
  const s = rh + rl
  return x < 0 ? -s : s
}

/** cos(x) rounded to nearest. */
export function cosCR(x: number): number {
  const a = Math.abs(x)
  if (!(a < 3.15)) return Math.cos(x)
  const k = sinCosReduced(a)
  // cos(k/64 + t) = cos(k/64) cos(t) - sin(k/64) sin(t)
  const st = sinHi
  const stl = sinLo
  mulDD(COS_K_HI[k], COS_K_LO[k], cosHi, cosLo)
  const ph = rh
  const pl = rl
  mulDD(SIN_K_HI[k], SIN_K_LO[k], -st, -stl)
  addDD(ph, pl, rh, rl)
  return rh + rl
}

/** sin(y) and cos(y) as double-doubles (for asin's Newton step), |y| < 3.15. */
function sinCosDD(y: number): void {
  const k = sinCosReduced(y)
  const st = sinHi
  const stl = sinLo
  const ct = cosHi
  const ctl = cosLo
  mulDD(SIN_K_HI[k], SIN_K_LO[k], ct, ctl)
  let ph = rh
  let pl = rl
  mulDD(COS_K_HI[k], COS_K_LO[k], st, stl)
  addDD(ph, pl, rh, rl)
  const sh = rh
  const sl = rl
  mulDD(COS_K_HI[k], COS_K_LO[k], ct, ctl)
  ph = rh
  pl = rl
  mulDD(SIN_K_HI[k], SIN_K_LO[k], -st, -stl)
  addDD(ph, pl, rh, rl)
  cosHi = rh
  cosLo = rl
  sinHi = sh
  sinLo = sl
}

/** pi / 2 as a double-double. */
const HALF_PI_HI = 1.5707963267948966
const HALF_PI_LO = 6.123233995736766e-17

/** asin of the double-double (wh, wl), |w| <= 1/2, into rh, rl: Math.asin's estimate and one Newton step. */
function asinSmallDD(wh: number, wl: number): void {
  const y0 = Math.asin(wh)
  if (y0 === 0) {
    rh = wh
    rl = wl
    return
  }
  sinCosDD(Math.abs(y0))
  const sh = y0 < 0 ? -sinHi : sinHi
  const sl = y0 < 0 ? -sinLo : sinLo
  // y = y0 - (sin(y0) - w) / cos(y0); cos(y0) > 0.86 here, so the step is well conditioned.
  addDD(sh, sl, -wh, -wl)
  const delta = -(rh + rl) / (cosHi + cosLo)
  addDD(y0, 0, delta, 0)
}

/**
 * asin(s) rounded to nearest, for s in [-1, 1]. Above 1/2 it is pi/2 - 2 asin(sqrt((1 - s) / 2)) (1 - s and the
 * halving are exact there), since the Newton step itself loses its accuracy as cos(asin(s)) goes to 0.
 */
export function asinCR(s: number): number {
  const a = Math.abs(s)
  if (a === 0 || !(a <= 1)) return Math.asin(s)
  let y: number
  if (a <= 0.5) {
    asinSmallDD(a, 0)
    y = rh + rl
  } else {
    const x = (1 - a) / 2
    // sqrt(x) as a double-double: w0 + (x - w0^2) / (2 w0).
    const w0 = Math.sqrt(x)
    let wl = 0
    if (w0 !== 0) {
      twoProduct(w0, w0)
      wl = (x - rh - rl) / (2 * w0)
    }
    asinSmallDD(w0, wl)
    addDD(HALF_PI_HI, HALF_PI_LO, -2 * rh, -2 * rl)
    y = rh + rl
  }
  return s < 0 ? -y : y
}
