/**
 * Redis's pqsort (pqsort.c): the NetBSD quicksort, cut short to the subarrays that overlap the wanted range
 * [lrange, rrange]. SORT uses it instead of the C library's qsort when a BY pattern and a LIMIT narrower than the
 * whole input are given; since ALPHA sorting by a pattern leaves ties unordered (no fallback to the elements), which
 * of several tied elements lands inside the LIMIT is decided by this exact algorithm, so it is reproduced step for
 * step: insertion sort below 7 elements, median-of-three (ninther above 40) pivot, Bentley-McIlroy three-way split.
 */
export function pqsort<T>(v: T[], cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  partialSort(v, 0, v.length, cmp, lrange, rrange)
}

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i]
  v[i] = v[j]
  v[j] = t
}

/** Swaps the n elements starting at i with the n starting at j, in order. */
function vecswap<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k)
}

function med3<T>(v: T[], a: number, b: number, c: number, cmp: (a: T, b: T) => number): number {
  return cmp(v[a], v[b]) < 0
    ? cmp(v[b], v[c]) < 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? c
        : a
    : cmp(v[b], v[c]) > 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? a
        : c
}

/** Whether the subarray [first, last] misses the wanted range entirely (then it is left unsorted). */
function outsideRange(first: number, last: number, lrange: number, rrange: number): boolean {
  return (lrange < first && rrange < first) || (lrange > last && rrange > last)
}

function partialSort<T>(
  v: T[],
  a: number,
  n: number,
  cmp: (a: T, b: T) => number,
  lrange: number,
  rrange: number,
): void {
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) {
        for (let pl = pm; pl > a && cmp(v[pl - 1], v[pl]) > 0; pl--) swap(v, pl, pl - 1)
      }
      return
    }
    let pm = a + Math.floor(n / 2)
    if (n > 7) {
      let pl = a
      let pn = a + n - 1
      if (n > 40) {
        const d = Math.floor(n / 8)
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp)
        pm = med3(v, pm - d, pm, pm + d, cmp)
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp)
      }
      pm = med3(v, pl, pm, pn, cmp)
    }
    swap(v, a, pm)
    let pa = a + 1
    let pb = a + 1
    let pc = a + n - 1
    let pd = a + n - 1
    for (;;) {
      let result: number
      while (pb <= pc && (result = cmp(v[pb], v[a])) <= 0) {
        if (result === 0) {
          swap(v, pa, pb)
          pa++
        }
        pb++
      }
      while (pb <= pc && (result = cmp(v[pc], v[a])) >= 0) {
        if (result === 0) {
          swap(v, pc, pd)
          pd--
        }
        pc--
      }
      if (pb > pc) break
      swap(v, pb, pc)
      pb++
      pc--
    }
    const pn = a + n
    let r = Math.min(pa - a, pb - pa)
    vecswap(v, a, pb - r, r)
    r = Math.min(pd - pc, pn - pd - 1)
    vecswap(v, pb, pn - r, r)
    r = pb - pa
    if (r > 1 && !outsideRange(a, a + r - 1, lrange, rrange)) partialSort(v, a, r, cmp, lrange, rrange)
    r = pd - pc
    if (r <= 1) return
    a = pn - r
    n = r
    if (outsideRange(a, a + r - 1, lrange, rrange)) return
  }
}
