/**
 * A stream value in the RDB format, both ways (rdb.c's stream branches of rdbSaveObject and rdbLoadObject).
 *
 * Written as RDB_TYPE_STREAM_LISTPACKS_2 (Redis 7.0): the node count, then per node its master ID (16 big-endian
 * bytes) and a listpack laid out as t_stream.c lays out a node (a master entry naming the first entry's fields, then
 * each entry as flags, ID deltas from the master ID, its fields unless they are the master's, its values and its
 * element count); then length, last ID, first ID, largest deleted ID and entries added; then the consumer groups,
 * each with its last ID, entries-read, PEL (ID, delivery time, delivery count) and consumers (name, seen time, PEL IDs).
 * redsim's nodes are written one listpack each, tombstones included, so a reload keeps the node boundaries that
 * approximate trimming and XINFO's radix-tree figures depend on.
 *
 * Read: that type and RDB_TYPE_STREAM_LISTPACKS (Redis 5 to 6.2, which lacks the first ID, largest deleted ID,
 * entries added and the groups' entries-read: they are derived as Redis derives them). Each listpack becomes one node.
 * What Redis would only catch with deep sanitization (IDs out of order or past the last ID, a length that disagrees
 * with the entries, a pending entry without a consumer) is refused here, since redsim relies on it.
 */
import {
  ConsumerGroup,
  formatStreamId,
  idMs,
  idSeq,
  INVALID_ENTRIES_READ,
  MAX_STREAM_ID,
  RedisStream,
  StreamConsumer,
  type StreamId,
  StreamNack,
  streamId,
  streamIdKey,
  ZERO_ID,
} from '../keyspace/types/stream.ts'
import { walkListpack } from './compact-encodings.ts'
import { ListpackWriter } from './listpack-writer.ts'
import type { RdbDecoder } from './rdb-decoder.ts'
import type { RdbEncoder } from './rdb-encoder.ts'
import { RdbError, RdbType } from './rdb-format.ts'

/** STREAM_ITEM_FLAG_*: an entry's flags element. */
const FLAG_DELETED = 1
const FLAG_SAMEFIELDS = 2

const UINT64_MASK = (1n << 64n) - 1n

export function writeStream(out: RdbEncoder, stream: RedisStream): void {
  out.length(stream.nodeCount)
  stream.forEachNode((node) => {
    const master = node.ids[0]
    out.string(streamIdKey(master))
    const lp = new ListpackWriter()
    const masterFields = node.masterFields
    lp.integer(node.live)
    lp.integer(node.ids.length - node.live)
    lp.integer(masterFields.length)
    for (const field of masterFields) lp.string(field)
    lp.integer(0)
    let next = 0
    const writeDeletedUpTo = (end: number) => {
      // A tombstone's fields are gone in redsim: it is written with the master's fields and empty values, which no
      // reader ever looks at (Redis skips deleted entries without reading them).
      for (; next < end; next++) {
        writeEntryHeader(lp, FLAG_DELETED | FLAG_SAMEFIELDS, node.ids[next], master)
        for (let f = 0; f < masterFields.length; f++) lp.string('')
        lp.integer(masterFields.length + 3)
      }
    }
    stream.forEachInRange(master, node.lastId, false, (id, pairs) => {
      // Live entries come in node order: the tombstones before this one are those the walk passes.
      let at = next
      while (node.ids[at] !== id) at++
      writeDeletedUpTo(at)
      const same = sameFields(masterFields, pairs)
      writeEntryHeader(lp, same ? FLAG_SAMEFIELDS : 0, id, master)
      const fields = pairs.length / 2
      if (same) {
        for (let i = 1; i < pairs.length; i += 2) lp.string(pairs[i])
      } else {
        // Fields and values alternate when the entry names its own fields.
        lp.integer(fields)
        for (const element of pairs) lp.string(element)
      }
      lp.integer(same ? fields + 3 : 2 * fields + 4)
      next = at + 1
      return true
    })
    writeDeletedUpTo(node.ids.length)
    out.string(lp.finish())
  })
  out.length(stream.length)
  writeId(out, stream.lastId)
  writeId(out, stream.firstId)
  writeId(out, stream.maxDeletedId)
  out.length(stream.entriesAdded)
  const groups = stream.sortedGroups()
  out.length(groups.length)
  for (const group of groups) {
    out.latin1(group.name)
    writeId(out, group.lastId)
    writeUint64(out, BigInt.asUintN(64, BigInt(group.entriesRead)))
    const pending = group.pel.range(ZERO_ID, MAX_STREAM_ID)
    out.length(pending.length)
    for (const [id, nack] of pending) {
      out.bytes(streamIdKey(id))
      out.i64le(nack.deliveryTime)
      out.length(nack.deliveryCount)
    }
    const consumers = group.sortedConsumers()
    out.length(consumers.length)
    for (const consumer of consumers) {
      out.latin1(consumer.name)
      out.i64le(consumer.seenTime)
      const owned = consumer.pel.range(ZERO_ID, MAX_STREAM_ID)
      out.length(owned.length)
      for (const [id] of owned) out.bytes(streamIdKey(id))
    }
  }
}

/** flags, then the ID as differences from the master ID, each taken modulo 2^64 and stored as an int64 (as Redis does). */
function writeEntryHeader(lp: ListpackWriter, flags: number, id: StreamId, master: StreamId): void {
  lp.integer(flags)
  lp.integer(int64Delta(idMs(id), idMs(master)))
  lp.integer(int64Delta(idSeq(id), idSeq(master)))
}

function int64Delta(a: bigint, b: bigint): number | bigint {
  const delta = BigInt.asIntN(64, a - b)
  return delta >= -2147483648n && delta <= 2147483647n ? Number(delta) : delta
}

function sameFields(master: string[], pairs: string[]): boolean {
  if (master.length * 2 !== pairs.length) return false
  for (let i = 0; i < master.length; i++) if (master[i] !== pairs[2 * i]) return false
  return true
}

function writeId(out: RdbEncoder, id: StreamId): void {
  writeUint64(out, idMs(id))
  writeUint64(out, idSeq(id))
}

/** rdbSaveLen of a 64-bit unsigned value (IDs' halves, an unknown entries-read's all-ones). */
function writeUint64(out: RdbEncoder, value: bigint): void {
  if (value <= 0xffffffffn) {
    out.length(Number(value))
    return
  }
  out.u8(0x81)
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(value)
  out.bytes(bytes)
}

/** rdbLoadLen of a value that may need all 64 bits. */
function readUint64(input: RdbDecoder): bigint {
  if (input.remaining > 0 && input.buf[input.pos] === 0x81) {
    input.u8()
    return input.bytes(8).readBigUInt64BE(0)
  }
  return BigInt(input.length())
}

function readId(input: RdbDecoder): StreamId {
  const ms = readUint64(input)
  return streamId(ms, readUint64(input))
}

/** A counter kept as a JS number (read as Redis's signed reading of it): refused below `min` or past 2^53. */
function readCounter(input: RdbDecoder, what: string, min: number): number {
  const value = BigInt.asIntN(64, readUint64(input))
  if (value < BigInt(min) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RdbError(`Stream ${what} out of range`)
  }
  return Number(value)
}

function readStreamIdKey(input: RdbDecoder): StreamId {
  const raw = input.bytes(16)
  return streamId(raw.readBigUInt64BE(0), raw.readBigUInt64BE(8))
}

/** A listpack element: an integer entry's value, or a string entry's text (latin1). */
type Element = number | bigint | string

function listpackElements(blob: Buffer): Element[] {
  const elements: Element[] = []
  walkListpack(
    blob,
    (value) => elements.push(value),
    (start, end) => elements.push(blob.toString('latin1', start, end)),
  )
  return elements
}

function integerElement(element: Element | undefined): bigint {
  if (typeof element === 'number' || typeof element === 'bigint') return BigInt(element)
  // lpGetInteger also reads an integer written as a string entry.
  if (element === undefined || !/^-?\d{1,20}$/.test(element)) {
    throw new RdbError('Stream listpack integrity check failed.')
  }
  return BigInt(element)
}

/** A count or flags element, as a number (an absurd one stays large and fails the bounds checks after it). */
function countElement(element: Element | undefined): number {
  return typeof element === 'number' ? element : Number(integerElement(element))
}

function textOf(element: Element): string {
  return typeof element === 'string' ? element : String(element)
}

/** Reads a stream of `type` (STREAM_LISTPACKS or STREAM_LISTPACKS_2). An empty stream is a valid value. */
export function readStream(input: RdbDecoder, type: number): RedisStream {
  const stream = new RedisStream()
  // Each entry takes at least a 16-byte key and a listpack's 7 bytes.
  const nodes = input.count(23)
  const tombstones: StreamId[] = []
  let previous: StreamId | undefined
  let previousNodeEntries = 0
  for (let n = 0; n < nodes; n++) {
    const keyBytes = input.string()
    if (keyBytes.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID')
    const master = streamId(keyBytes.readBigUInt64BE(0), keyBytes.readBigUInt64BE(8))
    const elements = listpackElements(input.string())
    if (elements.length === 0) throw new RdbError('Empty listpack inside stream')
    let p = 0
    const live = countElement(elements[p++])
    const deleted = countElement(elements[p++])
    const masterCount = countElement(elements[p++])
    if (live < 0 || deleted < 0 || masterCount < 0 || p + masterCount >= elements.length) {
      throw new RdbError('Stream listpack integrity check failed.')
    }
    const masterFields = elements.slice(p, p + masterCount).map(textOf)
    p += masterCount
    if (countElement(elements[p++]) !== 0) throw new RdbError('Stream listpack integrity check failed.')
    const entries = live + deleted
    let appended = 0
    for (let e = 0; e < entries; e++) {
      const flags = countElement(elements[p++])
      const ms = (idMs(master) + integerElement(elements[p++])) & UINT64_MASK
      const seq = (idSeq(master) + integerElement(elements[p++])) & UINT64_MASK
      const id = streamId(ms, seq)
      const same = (flags & FLAG_SAMEFIELDS) !== 0
      // Only the values when the entry has the master's fields; else its own field count, then field, value, ...
      const fieldCount = same ? masterFields.length : countElement(elements[p++])
      if (fieldCount < 0 || p + (same ? 1 : 2) * fieldCount >= elements.length) {
        throw new RdbError('Stream listpack integrity check failed.')
      }
      const pairs: string[] = new Array(fieldCount * 2)
      let bytes = 0
      for (let f = 0; f < fieldCount; f++) {
        const field = same ? masterFields[f] : textOf(elements[p++])
        const value = textOf(elements[p++])
        pairs[2 * f] = field
        pairs[2 * f + 1] = value
        bytes += field.length + value.length
      }
      const lpCount = countElement(elements[p++])
      const expected = same ? fieldCount + 3 : 2 * fieldCount + 4
      if (lpCount !== expected) throw new RdbError('Stream listpack integrity check failed.')
      if (previous !== undefined && id <= previous) throw new RdbError('Stream entry IDs are not in order')
      previous = id
      // Each listpack is one node: the first entry of a listpack opens a node (the previous one counts as full), the
      // others never do (no byte limit, no entry limit).
      const limits = appended === 0 ? { maxBytes: 0, maxEntries: previousNodeEntries } : { maxBytes: 0, maxEntries: 0 }
      stream.append(id, pairs, bytes, limits)
      appended++
      if (flags & FLAG_DELETED) tombstones.push(id)
    }
    if (p !== elements.length) throw new RdbError('Stream listpack integrity check failed.')
    previousNodeEntries = appended
    if (appended === 0) throw new RdbError('Empty listpack inside stream')
  }
  // Tombstones go once every node is built, so that a node whose entries are all deleted cannot merge two others.
  for (const id of tombstones) stream.delete(id)
  // A loaded listpack is allocated at its size, the last one too (no preallocation as XADD's new node gets).
  stream.forEachNode((node) => {
    node.preallocated = 0
  })
  const length = input.length()
  if (length !== stream.length) throw new RdbError('Stream length inconsistent with its entries')
  stream.lastId = readId(input)
  if (previous !== undefined && previous > stream.lastId) {
    throw new RdbError(`Stream entry ${formatStreamId(previous)} is past the last ID`)
  }
  if (type === RdbType.STREAM_LISTPACKS_2) {
    stream.firstId = readId(input)
    stream.maxDeletedId = readId(input)
    stream.entriesAdded = readCounter(input, 'entries added', 0)
  } else {
    // Before 7.0 these were not kept: Redis starts them as if nothing had been deleted.
    stream.firstId = stream.edgeId(true) ?? ZERO_ID
    stream.maxDeletedId = ZERO_ID
    stream.entriesAdded = stream.length
  }
  readGroups(input, type, stream)
  return stream
}

interface PendingEntry {
  id: StreamId
  deliveryTime: number
  deliveryCount: number
  /** Set once a consumer's PEL claims the entry. */
  nack: StreamNack | undefined
}

function findPending(pending: PendingEntry[], id: StreamId): PendingEntry | undefined {
  let lo = 0
  let hi = pending.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (pending[mid].id < id) lo = mid + 1
    else hi = mid
  }
  return lo < pending.length && pending[lo].id === id ? pending[lo] : undefined
}

function readGroups(input: RdbDecoder, type: number, stream: RedisStream): void {
  const groups = input.count()
  for (let g = 0; g < groups; g++) {
    const name = input.latin1()
    const lastId = readId(input)
    const entriesRead =
      type === RdbType.STREAM_LISTPACKS_2
        ? readCounter(input, 'entries read', INVALID_ENTRIES_READ)
        : stream.estimateDistanceFromFirstEverEntry(lastId)
    if (stream.groups.has(name)) throw new RdbError(`Duplicated consumer group name ${name}`)
    const group = new ConsumerGroup(name, lastId, entriesRead)
    stream.groups.set(name, group)
    // The group's PEL comes first without owners; each consumer's PEL then claims its entries. Looked up by binary
    // search in ID order (a Map keyed by bigint IDs would hash every ID with the same sequence number alike).
    const pelSize = input.count(16 + 8 + 1)
    const pending: PendingEntry[] = new Array(pelSize)
    let sorted = true
    for (let i = 0; i < pelSize; i++) {
      const id = readStreamIdKey(input)
      pending[i] = { id, deliveryTime: input.i64le(), deliveryCount: input.length(), nack: undefined }
      if (i > 0 && pending[i - 1].id >= id) sorted = false
    }
    if (!sorted) pending.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    for (let i = 1; i < pelSize; i++) {
      if (pending[i - 1].id === pending[i].id) {
        throw new RdbError('Duplicated global PEL entry loading stream consumer group')
      }
    }
    const consumers = input.count(1 + 8 + 1)
    for (let c = 0; c < consumers; c++) {
      const consumerName = input.latin1()
      if (group.consumers.has(consumerName)) throw new RdbError('Duplicate stream consumer detected.')
      const consumer = new StreamConsumer(consumerName, input.i64le())
      group.consumers.set(consumerName, consumer)
      const owned = input.count(16)
      for (let i = 0; i < owned; i++) {
        const entry = findPending(pending, readStreamIdKey(input))
        if (entry === undefined) throw new RdbError('Consumer entry not found in group global PEL')
        if (entry.nack !== undefined) {
          throw new RdbError('Duplicated consumer PEL entry loading a stream consumer group')
        }
        entry.nack = new StreamNack(consumer, entry.deliveryTime, entry.deliveryCount)
        consumer.pel.insert(entry.id, entry.nack)
      }
    }
    // In ascending order, so each insertion is an append.
    for (const entry of pending) {
      if (entry.nack === undefined) throw new RdbError('Stream CG PEL entry without consumer')
      group.pel.insert(entry.id, entry.nack)
    }
  }
}
