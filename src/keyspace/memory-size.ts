/**
 * What a key and its value would cost in Redis 7.0 (jemalloc 5.3, x86_64), in bytes: the model behind MEMORY USAGE,
 * INFO memory's used_memory and the maxmemory limit. redsim's own heap is not comparable (V8 objects, a Map per
 * table), so the limit is enforced against this model, which makes `maxmemory 20mb` hold about as many keys as it
 * does in Redis.
 *
 * Every figure is O(1): values keep running sums of their elements' sizes (see the `lpBytes`/`sdsBytes` counters of
 * the aggregate types), updated by their own mutation methods, so nothing here walks a collection.
 *
 * Exact for strings and for the per-key overhead (key sds, dictEntry), which is what MEMORY USAGE reports for them.
 * Estimates, documented where they are made: listpack entries are sized as strings (Redis packs integers smaller),
 * quicklist nodes are assumed evenly filled, skip-list nodes take the average level, and dict tables are sized from
 * the element count (no incremental rehash, no shrink lag). test/reliability/maxmemory.test.ts compares these figures
 * with redis-server's MEMORY USAGE on the same data and bounds the ratio.
 */

/** sizeof(robj). */
export const ROBJ = 16
/** sizeof(dictEntry), as MEMORY USAGE counts it (jemalloc hands out 32). */
export const DICT_ENTRY = 24
/** What jemalloc really allocates for a dictEntry. */
export const DICT_ENTRY_ALLOC = 32
/** sizeof(dict) in 7.0. */
const DICT = 56
const QUICKLIST = 40
const QUICKLIST_NODE = 32
const ZSET = 16
const ZSKIPLIST = 32
/** zmalloc_size of a skip list's header node (ZSKIPLIST_MAXLEVEL 32 levels: 24 + 32 * 16 = 536 bytes). */
const SKIPLIST_HEADER = 640
/**
 * A skip-list node with its random level (p = 1/4): 24 + 16 * level bytes, so 48 (level 1, 3/4 of nodes), 64, 80...:
 * about 53 on average.
 */
const SKIPLIST_NODE_AVERAGE = 53
/** A listpack's 6-byte header and its end byte. */
const LISTPACK_OVERHEAD = 7
/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44
/** The smallest table a Redis dict allocates (DICT_HT_INITIAL_SIZE). */
const DICT_MIN_SLOTS = 4

/** jemalloc's size class for a request of `n` bytes: 8, 16, 32, 48 ... 128, then four classes per doubling. */
export function mallocSize(n: number): number {
  if (n <= 8) return 8
  if (n <= 128) return (n + 15) & ~15
  // floor(log2(n - 1)): clz32 while it fits in 32 bits (every size a command's value can have), log2 beyond.
  const lg = n <= 0x80000000 ? 31 - Math.clz32(n - 1) : Math.floor(Math.log2(n - 1))
  const step = lg < 33 ? 1 << (lg - 2) : 2 ** (lg - 2)
  return Math.ceil(n / step) * step
}

/** An sds string of `len` bytes allocated exactly (sdsnewlen): header by length, the bytes, the NUL. */
export function sdsAlloc(len: number): number {
  const header = len < 256 ? 3 : len < 65536 ? 5 : len < 4294967296 ? 9 : 17
  return mallocSize(header + len + 1)
}

/** A listpack entry holding `len` bytes as a string: encoding header, data, back-length. */
export function listpackEntry(len: number): number {
  const header = len < 64 ? 1 : len < 4096 ? 2 : 5
  const entry = header + len
  const back = entry < 128 ? 1 : entry < 16384 ? 2 : entry < 2097152 ? 3 : entry < 268435456 ? 4 : 5
  return entry + back
}

/** A listpack entry for a score: integers as Redis stores them (int encodings), others as "%.17g" text. */
export function listpackScore(score: number): number {
  if (Number.isInteger(score) && Math.abs(score) < 2 ** 53) {
    const a = score < 0 ? -score - 1 : score
    if (score >= 0 && score < 128) return 2
    if (a < 4096) return 3
    if (a < 32768) return 4
    if (a < 8388608) return 5
    if (a < 2147483648) return 6
    return 10
  }
  // "%.17g" of a non-integer: 17 significant digits, a point, often a sign or an exponent.
  return listpackEntry(19)
}

/** The bucket array of a dict holding `n` entries: a power of two at least n (Redis grows at a fill of 1). */
export function dictTableBytes(n: number): number {
  if (n === 0) return 0
  let slots = DICT_MIN_SLOTS
  while (slots < n) slots *= 2
  return 8 * slots
}

/** The key's part of MEMORY USAGE: its sds and its dictEntry. */
export function keyEntryBytes(keyLength: number): number {
  return sdsAlloc(keyLength) + DICT_ENTRY
}

/** A string value: `int` is the robj alone, `embstr` one allocation with its sds, `raw` the robj and an sds. */
export function stringBytes(length: number, encoding: 'int' | 'embstr' | 'raw'): number {
  if (encoding === 'int') return ROBJ
  if (encoding === 'embstr' && length <= EMBSTR_LIMIT) return mallocSize(ROBJ + 3 + length + 1)
  return ROBJ + sdsAlloc(length)
}

/**
 * A quicklist of `count` elements whose listpack entries take `entryBytes` in all. `fill` is list-max-listpack-size:
 * negative, a node's byte limit (-1: 4 KB ... -5: 64 KB); positive, elements per node. Nodes are taken as evenly
 * filled, each listpack rounded to its size class.
 */
export function quicklistBytes(count: number, entryBytes: number, fill: number): number {
  let nodes: number
  if (fill < 0) {
    const limit = 4096 * 2 ** (Math.min(-fill, 5) - 1)
    nodes = Math.max(1, Math.ceil((entryBytes + LISTPACK_OVERHEAD) / limit))
  } else {
    nodes = Math.max(1, Math.ceil(count / Math.max(fill, 1)))
  }
  const perNode = mallocSize(Math.ceil(entryBytes / nodes) + LISTPACK_OVERHEAD)
  return ROBJ + QUICKLIST + nodes * (QUICKLIST_NODE + perNode)
}

/** A listpack-encoded hash or sorted set (or any single listpack) whose entries take `entryBytes`. */
export function listpackBytes(entryBytes: number): number {
  return ROBJ + mallocSize(LISTPACK_OVERHEAD + entryBytes)
}

/** An intset of `count` integers of `width` bytes each (2, 4 or 8). */
export function intsetBytes(count: number, width: number): number {
  return ROBJ + mallocSize(8 + count * width)
}

/**
 * A hash-table set or hash: the dict, its table, a dictEntry per element and the element sds strings (`sdsBytes`,
 * the sum of their allocations: members, or fields and values).
 */
export function hashtableBytes(count: number, sdsBytes: number): number {
  return ROBJ + DICT + dictTableBytes(count) + count * DICT_ENTRY + sdsBytes
}

/** A skip-list sorted set: zset, skip list and dict, the header node, and per member its sds, dictEntry and node. */
export function skiplistBytes(count: number, sdsBytes: number): number {
  return (
    ROBJ +
    ZSET +
    ZSKIPLIST +
    DICT +
    dictTableBytes(count) +
    SKIPLIST_HEADER +
    count * (DICT_ENTRY + SKIPLIST_NODE_AVERAGE) +
    sdsBytes
  )
}
