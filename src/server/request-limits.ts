/**
 * Bounds on what one client's request may make the server allocate, so that one client cannot end the process (and
 * every other client's data with it) by sending more than fits.
 *
 * client-query-buffer-limit (Redis's, default 1gb): a client whose received, not yet consumed bytes exceed it is
 * closed without a reply, with Redis's log line "Closing client that reached max query buffer length: <client>
 * (qbuf initial bytes: <first 64 bytes>)". Redis checks after every read; so does the connection. Bulks are further
 * bounded one by one by proto-max-bulk-len (the parser).
 *
 * The argument count, sized to the heap. Redis accepts a multibulk of up to INT_MAX (2147483647) arguments
 * (`invalid multibulk length` above) and allocates each argument as it arrives: a few dozen bytes of C per argument.
 * In redsim each argument is a Buffer object on the JavaScript heap, about 200 bytes even when empty, plus its slot in
 * the argument array: 22 million empty arguments (136 MB on the wire) need over 4 GB, V8's default heap limit, and
 * V8 ends the process. So redsim's bound is lower than Redis's, and it is set here: a multibulk whose declared count,
 * at ARGUMENT_COST bytes each, would take more than HEAP_SHARE of the heap left under the ceiling
 * (src/engine/heap-headroom.ts) is refused at its header, before any argument is built. The client is closed as
 * Redis closes one over client-query-buffer-limit, and the log says why. Half the heap left: the command then
 * commonly builds something of the same order per argument (the members it stores, its reply). Under V8's default
 * 4 GB limit that admits about 7.5 million arguments; under the limit bin/redsim.js and `npm start` derive from a
 * 24 GB machine (18 GB), about 34 million, so the 22-million-argument request is served there as in Redis; under a
 * 256 MB heap, about 400 thousand.
 *
 * The argument bytes themselves live outside the V8 heap (Buffer storage) and are bounded by proto-max-bulk-len each.
 *
 * Requests of up to ADMIT_WITHOUT_LOOKING arguments are admitted without looking at the heap: ordinary traffic pays
 * nothing, and what the server does with them never depends on the heap's state (see heap-headroom.ts on
 * determinism). Several clients sending huge requests at once: an admitted request's estimate stays reserved until its
 * command is delivered to the executor (its arguments are then on the heap, counted as used), so requests that fit
 * only one at a time are not all admitted.
 */
import { clientInfoLine } from '../commands/client-list.ts'
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import { mb, readHeap, readHeapFor } from '../engine/heap-headroom.ts'
import { catRepr } from '../protocol/cat-repr.ts'

/** Heap bytes per argument while a request is assembled: an empty Buffer (~200) and its array slot, with growth. */
export const ARGUMENT_COST = 240
/** The share of the heap left under the ceiling that one request's arguments may take. */
const HEAP_SHARE = 1 / 2
/** Multibulks of up to this many arguments (at most ~16 MB of heap) are admitted without looking. */
export const ADMIT_WITHOUT_LOOKING = 65_536
/** client-query-buffer-limit cannot be set below 1 MB, so smaller buffers need no lookup. */
const MIN_QUERY_BUFFER_LIMIT = 1024 * 1024

/** Heap bytes reserved by admitted requests whose commands are not delivered yet, by connection. */
const reservations = new Map<object, number>()

function reservedByOthers(owner: object): number {
  let sum = 0
  for (const [who, bytes] of reservations) if (who !== owner) sum += bytes
  return sum
}

/**
 * Whether `owner`'s connection may build a multibulk of `count` arguments. On a refusal the reason is logged; the
 * parser then ends the stream and the connection closes the client.
 */
export function admitMultibulk(engine: Engine, client: Client, owner: object, count: number): boolean {
  if (count <= ADMIT_WITHOUT_LOOKING) {
    reservations.delete(owner)
    return true
  }
  const wanted = count * ARGUMENT_COST
  const others = reservedByOthers(owner)
  const needed = wanted / HEAP_SHARE + others
  const now = readHeap()
  // One that would not fit even in an empty heap is refused without the full collection readHeapFor may run.
  const heap = needed > now.ceiling ? now : readHeapFor(needed)
  const left = Math.max(0, heap.ceiling - heap.used - others)
  if (wanted <= left * HEAP_SHARE) {
    reservations.set(owner, wanted)
    return true
  }
  reservations.delete(owner)
  engine.log(
    'warning',
    `Closing client that reached max query buffer length: ${describe(engine, client)} (multibulk length ${count}: ` +
      `its arguments would take about ${mb(wanted)} of JavaScript heap, more than a ${HEAP_SHARE} share of the ` +
      `${mb(left)} left under the ceiling of ${mb(heap.ceiling)} of a ${mb(heap.limit)} limit)`,
  )
  return false
}

/** `owner`'s request was delivered to the executor, or its connection closed: nothing of it is still to come. */
export function requestDelivered(owner: object): void {
  if (reservations.size > 0) reservations.delete(owner)
}

/**
 * Redis's check after a read: true when the client's unconsumed input exceeds client-query-buffer-limit (the reason
 * is logged); the connection then closes it without a reply.
 */
export function overQueryBufferLimit(engine: Engine, client: Client, buffered: number, head: () => Buffer): boolean {
  if (buffered <= MIN_QUERY_BUFFER_LIMIT || buffered <= engine.config.getNumber('client-query-buffer-limit')) {
    return false
  }
  engine.log(
    'warning',
    `Closing client that reached max query buffer length: ${describe(engine, client)} ` +
      `(qbuf initial bytes: ${catRepr(head())})`,
  )
  return true
}

function describe(engine: Engine, client: Client): string {
  return clientInfoLine(client, engine.clock.now(), null, engine).trimEnd()
}
