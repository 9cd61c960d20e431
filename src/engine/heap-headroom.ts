/**
 * How much of the JavaScript heap is left before V8 ends the process ("JavaScript heap out of memory", which loses
 * every key), for the guards that refuse one request or stop one script instead: src/server/request-limits.ts and
 * src/scripting/script-memory.ts.
 *
 * The limit is the one in force, V8's heap_size_limit: --max-old-space-size when given (bin/redsim.js and `npm start`
 * derive it from the machine's memory), else V8's default (about 4 GB on a 64-bit machine with 16 GB or more). The
 * guards aim at a ceiling below it: V8 needs room of its own to collect garbage near the limit, and a script
 * allocates between two looks at the heap.
 *
 * used_heap_size counts garbage not yet collected, so a reading over the ceiling is confirmed after one full
 * collection before anything is refused or stopped: a server that merely has not collected yet must not refuse work.
 * The collection needs V8's `gc`, which Node exposes only with --expose-gc: the flag is set at run time, the function
 * taken from a fresh context (the one place it then appears) and the flag set back. Where that fails, the reading
 * stands as it is (more conservative, never less safe).
 *
 * Determinism: heap statistics are neither time nor randomness, but they differ from run to run. They are consulted
 * only for requests of more than ADMIT_WITHOUT_LOOKING arguments (request-limits.ts) and, in scripts, only decide
 * anything above the ceiling; the simulator's runs use a few megabytes of a heap of gigabytes, so no simulated run
 * behaves differently because of them.
 */
import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * The part of the limit kept out of reach of requests and scripts: an eighth, and at least this much. heap_size_limit
 * includes the young generation (48 MB: V8 dies when the old generation alone reaches --max-old-space-size), and V8
 * needs working room to collect near its limit.
 */
const MIN_RESERVE = 96 * 1024 * 1024
const RESERVE_SHARE = 1 / 8

export interface HeapReading {
  /** heap_size_limit: where V8 gives up. */
  readonly limit: number
  /** What the guards let requests and scripts reach. */
  readonly ceiling: number
  /** used_heap_size: live objects and garbage not yet collected. */
  readonly used: number
}

export function readHeap(): HeapReading {
  const stats = v8.getHeapStatistics()
  const limit = stats.heap_size_limit
  return { limit, ceiling: heapCeiling(limit), used: stats.used_heap_size }
}

/** The ceiling for a heap limit of `limit` bytes. */
export function heapCeiling(limit: number): number {
  return limit - Math.max(MIN_RESERVE, Math.floor(limit * RESERVE_SHARE))
}

let gc: (() => void) | null | undefined

/** Runs one full garbage collection; false when V8's gc function is not available. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc')
      const exposed: unknown = vm.runInNewContext('gc')
      gc = typeof exposed === 'function' ? (exposed as () => void) : null
      v8.setFlagsFromString('--no-expose-gc')
    } catch {
      gc = null
    }
  }
  if (!gc) return false
  gc()
  return true
}

/**
 * The heap now, after a full collection if `wanted` bytes do not fit under the ceiling as it stands (the garbage may be
 * what is in the way).
 */
export function readHeapFor(wanted: number): HeapReading {
  const first = readHeap()
  if (first.ceiling - first.used >= wanted) return first
  return collectGarbage() ? readHeap() : first
}

/** Megabytes, for log lines. */
export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
