/**
 * Giving memory back after a very large request. A request with millions of arguments leaves hundreds of megabytes of
 * garbage (one Buffer object per argument) once its command has run. V8 collects garbage only when JavaScript
 * allocates, so an idle server would keep that heap, and its resident memory, indefinitely: Redis frees a client's
 * argv at once and is back near its baseline. After such a request, and when its connection closes, the server asks
 * for one full collection, shortly after, once the burst of work is over; requests keep being served meanwhile.
 *
 * The collection uses V8's `gc` function as src/engine/heap-headroom.ts obtains it; where that is not available,
 * nothing is released early, which is what happened before.
 */
import { collectGarbage } from '../engine/heap-headroom.ts'

/** Requests with at least this many arguments, or this many bytes of arguments, count as very large. */
const LARGE_REQUEST_ARGS = 100_000
const LARGE_REQUEST_BYTES = 64 * 1024 * 1024
/**
 * How long after the last very large request the collection runs; later requests push it back, at most this many
 * times (about two seconds in all).
 */
const DELAY_MS = 200
const MAX_POSTPONEMENTS = 10

let timer: NodeJS.Timeout | null = null
let postponed = 0
let collections = 0

/** Whether `argv` is a request whose garbage is worth collecting at once. */
export function isLargeRequest(argv: readonly Buffer[]): boolean {
  if (argv.length >= LARGE_REQUEST_ARGS) return true
  let bytes = 0
  for (const arg of argv) bytes += arg.length
  return bytes >= LARGE_REQUEST_BYTES
}

/** Asks for one full collection shortly (debounced: many asks in a burst give one collection). */
export function releaseMemorySoon(): void {
  if (timer) {
    // Keep pushing it back while large requests keep coming, but not forever: counted in postponements, not read
    // from the wall clock.
    if (postponed >= MAX_POSTPONEMENTS) return
    postponed++
    clearTimeout(timer)
  } else {
    postponed = 0
  }
  timer = setTimeout(() => {
    timer = null
    if (collectGarbage()) collections++
  }, DELAY_MS)
  timer.unref()
}

/** Full collections run so far (tests check that a very large request leads to one). */
export function memoryReleaseCount(): number {
  return collections
}
