/**
 * A script that would exhaust the JavaScript heap is stopped with an error before V8 ends the process.
 *
 * In Redis a Lua table is a few dozen bytes of C, and a script that builds 8 million of them completes. In fengari a
 * table is JavaScript objects (the table, its Map, the value that holds it): about 620 bytes as an array element, so 8
 * million need about 5 GB. Under V8's default limit (4144 MB on a 64-bit machine with 16 GB or more; ceiling 3626 MB,
 * heap-headroom.ts) about 6 million fit: a 6-million-table script completes, the 8-million one is stopped. Under the
 * limit bin/redsim.js and `npm start` derive from the machine (three quarters of its memory: 18 GB of 24 GB) the 8
 * million fit and that script completes, as in Redis. Under a 256 MB heap, about 300 thousand. Past the ceiling,
 * whatever the limit, the script is stopped instead of the process. (Near the limit V8 collects often: on a busy
 * 2-core machine the 6-million-table script took 3.5 minutes under the default limit, the 8-million one under 18 GB
 * less than 2.)
 *
 * When: the count hook (busy.ts) calls `heapExhausted` at every slice; the heap is looked at once every
 * CHECK_INSTRUCTIONS instructions at most (a slice may be smaller, as under the simulator's lua-slice-instructions),
 * and only a reading over the ceiling, confirmed after a full collection, stops anything. A script making that much
 * garbage, but not holding it, runs on.
 *
 * The error: `ERR Out of memory in script: ...` with Redis's script suffix (" script: <sha>, on @user_script:<line>."),
 * raised as SCRIPT KILL's is: at every instruction from then on, so pcall cannot swallow it. Redis has no such reply
 * (its allocator aborts the process when memory runs out); the ERR code and the wording follow its OOM errors.
 *
 * Trade-off: Redis never stops a script after its first write (SCRIPT KILL answers UNKILLABLE), so that a script's
 * writes are all or nothing. A script over the heap ceiling is the one exception: the alternative is V8 ending the
 * process, which loses every key of every client, this script's writes included. So it is stopped whatever it wrote;
 * the writes it made stay (there is no rollback, as in Redis), its caller gets the error, and the log line says that
 * it had written, so an operator knows its effects may be partial.
 *
 * Library calls that build many values without running a Lua instruction (cjson.decode, cmsgpack.unpack, the
 * conversion of a redis.call reply to a Lua table) call `checkHeapInLibrary` per value built: the hook runs between
 * instructions only, and one cjson.decode of a 9 MB argument builds 3 million tables.
 */
import type { LuaState } from 'fengari'
import { type HeapReading, mb, readHeap, readHeapFor } from '../engine/heap-headroom.ts'
import { activeRun } from './active-run.ts'
import type { ScriptRun } from './script-run.ts'

/** Instructions between two looks at the heap (a look costs about a microsecond; 100,000 instructions far more). */
const CHECK_INSTRUCTIONS = 100_000

export const OUT_OF_MEMORY_ERROR = 'ERR Out of memory in script: stopped before the server ran out of heap.'

/** Instructions run by scripts since the heap was last looked at (any engine's: the heap is the process's). */
let sinceLastLook = 0
/** Values built by library calls between two looks (a fengari table is ~620 bytes: 16,384 are ~10 MB). */
const LIBRARY_CHECK_VALUES = 16_384
let libraryValues = 0

/**
 * Called by the count hook after `instructions` more instructions of `run`: the heap reading when the script must be
 * stopped (over the ceiling even after a full collection), else null.
 */
export function heapExhausted(instructions: number): HeapReading | null {
  sinceLastLook += instructions
  if (sinceLastLook < CHECK_INSTRUCTIONS) return null
  sinceLastLook = 0
  return overCeilingConfirmed()
}

/**
 * For library calls that build many values without running a Lua instruction (cjson.decode, cmsgpack.unpack, the
 * conversion of a redis.call reply): counts one value built, and every LIBRARY_CHECK_VALUES values looks at the heap
 * as the hook does. Over the ceiling, the running script is stopped from inside the call.
 */
export function checkHeapInLibrary(L: LuaState): void {
  if (++libraryValues < LIBRARY_CHECK_VALUES) return
  libraryValues = 0
  const heap = overCeilingConfirmed()
  if (!heap) return
  const run = activeRun()
  if (run) run.host.busy.stopForMemory(L, run, heap)
}

/** The heap when it is over the ceiling even after a full collection, else null. */
function overCeilingConfirmed(): HeapReading | null {
  if (!overCeiling(readHeap())) return null
  const confirmed = readHeapFor(Number.POSITIVE_INFINITY)
  return overCeiling(confirmed) ? confirmed : null
}

function overCeiling(heap: HeapReading): boolean {
  return heap.used > heap.ceiling
}

/** The log line of a script stopped for memory: its SHA, the heap, and whether it had written. */
export function logStoppedForMemory(run: ScriptRun, heap: HeapReading): void {
  const writes = run.frame.wrote
    ? ' It had already executed write commands: those stay applied, so its effects on the dataset may be partial.'
    : ' It had executed no write command.'
  run.host.engine.logAt(
    'warning',
    `Lua script stopped: the JavaScript heap is nearly exhausted (${mb(heap.used)} used, ceiling ${mb(heap.ceiling)} ` +
      `of a ${mb(heap.limit)} limit). Script name is: ${run.script.name}.${writes}`,
  )
}
