/**
 * How string values grow (APPEND, SETRANGE) without ever changing bytes someone else can see.
 *
 * A stored string is a Buffer, and the same Buffer is handed out as a reply: a GET reply may still be queued for a
 * socket write when the next command APPENDs to the key, COPY shares one Buffer between two keys, and a caller of the
 * in-process API keeps whatever it got. So bytes inside a stored Buffer's range are never overwritten.
 *
 * APPEND would then cost O(length) per call (copy into a new Buffer), making a loop of appends quadratic. Instead a
 * grown string lives in a backing store with spare capacity, allocated greedily as Redis's sds does (double below
 * 1 MB, then +1 MB). Appending writes only into the spare bytes *after* the value's end, which no Buffer handed out
 * so far covers, and stores a new, longer view of the same backing store: amortized O(appended bytes), and every
 * earlier view still reads exactly what it read before.
 *
 * Two views can end at the same byte (COPY, or a reply stored back as a value); only one of them may extend into
 * the spare bytes. The high-water mark per backing store decides: a view may grow in place only if it ends exactly
 * at the mark, and growing moves the mark, so the other view then copies. Buffers we did not allocate here (argv
 * Buffers, Node's pooled slabs) have no mark and are never written into.
 */

/** For each backing store allocated here: how many bytes from its start are covered by some view handed out. */
const highWater = new WeakMap<ArrayBufferLike, number>()

const GREEDY_LIMIT = 1024 * 1024

/** A Buffer with room to grow to at least `length` bytes, holding `current` at its start; returns the full store. */
function allocateGrowable(current: Buffer, length: number): Buffer {
  const capacity = length < GREEDY_LIMIT ? length * 2 : length + GREEDY_LIMIT
  // allocUnsafeSlow: a store of our own (never a slice of Node's shared pool), so its spare bytes are ours to write.
  const store = Buffer.allocUnsafeSlow(capacity)
  current.copy(store, 0)
  return store
}

/**
 * `current` followed by `gap` zero bytes and then `tail`: the new value of a string after APPEND (gap 0) or a
 * SETRANGE at or past its end. Never modifies any byte of `current` or of any other existing view.
 */
export function extendString(current: Buffer, gap: number, tail: Buffer): Buffer {
  const oldLength = current.length
  const newLength = oldLength + gap + tail.length
  const store = current.buffer
  const end = current.byteOffset + oldLength
  let result: Buffer
  if (highWater.get(store) === end && end + gap + tail.length <= store.byteLength) {
    result = Buffer.from(store, current.byteOffset, newLength)
  } else {
    const grown = allocateGrowable(current, newLength)
    result = grown.subarray(0, newLength)
  }
  if (gap > 0) result.fill(0, oldLength, oldLength + gap)
  tail.copy(result, oldLength + gap)
  highWater.set(result.buffer, result.byteOffset + newLength)
  return result
}

/**
 * `current` with `bytes` written at `offset` (which is inside it), as a new Buffer: SETRANGE over existing bytes.
 * Copy-on-write, O(length): writing in place would change replies already handed out (see above).
 */
export function overwriteString(current: Buffer, offset: number, bytes: Buffer): Buffer {
  const newLength = Math.max(current.length, offset + bytes.length)
  const grown = allocateGrowable(current, newLength)
  bytes.copy(grown, offset)
  const result = grown.subarray(0, newLength)
  highWater.set(grown.buffer, newLength)
  return result
}
