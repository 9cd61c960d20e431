/**
 * Giving memory back after a very large request. A request with millions of arguments leaves hundreds of megabytes of
 * garbage (one Buffer object per argument) once its command has run. V8 collects garbage only when JavaScript
 * allocates, so an idle server would keep that heap, and its resident memory, indefinitely: Redis frees a client's
 * argv at once and is back near its baseline. After such a request, and when its connection closes, the server asks
 * for one full collection, shortly after, once the burst of work is over; requests keep being served meanwhile.
 *
 * The collection needs V8's `gc` function, which Node exposes only with --expose-gc; the flag is set at run time and
 * the function taken from a fresh context, the one place it then appears. Where that fails, nothing is released early,
 * which is what happened before.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

/** Requests with at least this many arguments, or this many bytes of arguments, count as very large. */
const LARGE_REQUEST_ARGS = 100_000
const LARGE_REQUEST_BYTES = 64 * 1024 * 1024
/** How long after the last very large request the collection runs (later requests push it back, up to MAX_DELAY). */
const DELAY_MS = 200
const MAX_DELAY_MS = 2000

let gc: (() => void) | null | undefined
let timer: NodeJS.Timeout | null = null
let firstAskedAt = 0
let collections = 0

/** Whether `argv` is a request whose garbage is worth collecting at once. */
export function isLargeRequest(argv: readonly Buffer[]): boolean {
  if (argv.length >= LARGE_REQUEST_ARGS) return true
  let bytes = 0
  for (const arg of argv) bytes += arg.length
  return bytes >= LARGE_REQUEST_BYTES
}

function gcFunction(): (() => void) | null {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc')
      const exposed: unknown = vm.runInNewContext('gc')
      gc = typeof exposed === 'function' ? (exposed as () => void) : null
    } catch {
      gc = null
    }
  }
  return gc
}

/** Asks for one full collection shortly (debounced: many asks in a burst give one collection). */
export function releaseMemorySoon(): void {
  const now = Date.now()
  if (timer) {
    // Keep pushing it back while large requests keep coming, but not forever.
    if (now - firstAskedAt >= MAX_DELAY_MS) return
    clearTimeout(timer)
  } else {
    firstAskedAt = now
  }
  timer = setTimeout(() => {
    timer = null
    const collect = gcFunction()
    if (!collect) return
    collect()
    collections++
  }, DELAY_MS)
  timer.unref()
}

/** Full collections run so far (tests check that a very large request leads to one). */
export function memoryReleaseCount(): number {
  return collections
}
