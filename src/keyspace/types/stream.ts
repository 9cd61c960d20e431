/**
 * The stream value: entries ordered by a 128-bit ID (milliseconds, sequence), consumer groups with their pending
 * entries lists, and the counters Redis 7.0 keeps (last ID, first ID, entries added, largest deleted ID).
 *
 * Layout: a sorted array of packed nodes, each holding up to stream-node-max-entries entries in parallel arrays (the
 * role of Redis's listpacks), found by binary search on the nodes' first IDs: the two-level form of a B+tree, chosen
 * over a radix tree because IDs only ever grow: XADD appends to the last node or opens a new one (O(1) amortised),
 * XRANGE is a binary search then a walk (O(log n + k)), trimming drops whole nodes from the front (a moving head
 * index, compacted now and then, so O(1) amortised per node). XDEL flags an entry deleted inside its node as Redis
 * does; a node whose last live entry goes is removed from the node array (a pointer move per node, n / 100 of them).
 * Nodes open at the same thresholds as Redis's (stream-node-max-entries, or stream-node-max-bytes against the
 * listpack's size computed from its encoding), so that approximate
 * trimming (`~`), which removes only whole nodes, removes what Redis removes.
 *
 * IDs are bigints: (ms << 64) | seq, so one comparison orders them. Field names and values are latin1 strings.
 */
import { mallocSize } from '../memory-size.ts'
import type { AggregateValue } from '../values.ts'

export type StreamId = bigint

const MASK64 = (1n << 64n) - 1n
export const UINT64_MAX = MASK64
export const MAX_STREAM_ID: StreamId = (1n << 128n) - 1n
export const ZERO_ID: StreamId = 0n

export function streamId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq
}

export function idMs(id: StreamId): bigint {
  return id >> 64n
}

export function idSeq(id: StreamId): bigint {
  return id & MASK64
}

export function formatStreamId(id: StreamId): string {
  return `${id >> 64n}-${id & MASK64}`
}

/** The 16 big-endian bytes Redis keys its radix trees with (streamEncodeID). */
export function streamIdKey(id: StreamId): Buffer {
  const b = Buffer.alloc(16)
  b.writeBigUInt64BE(id >> 64n, 0)
  b.writeBigUInt64BE(id & MASK64, 8)
  return b
}

/**
 * Nodes of the radix tree (rax) Redis builds over `keys` (sorted, distinct, equal length): a compressed node per run
 * the keys below it share, a branch per fork, a leaf per key; an empty tree is its root alone.
 */
export function radixTreeNodes(keys: Buffer[]): number {
  if (keys.length === 0) return 1
  const count = (from: number, to: number, depth: number): number => {
    const width = keys[from].length
    if (to - from === 1) return depth === width ? 1 : 2
    let common = depth
    while (common < width && keys[from][common] === keys[to - 1][common]) common++
    let nodes = common > depth ? 2 : 1
    for (let i = from; i < to; ) {
      let j = i + 1
      while (j < to && keys[j][common] === keys[i][common]) j++
      nodes += count(i, j, common + 1)
      i = j
    }
    return nodes
  }
  return count(0, keys.length, 0)
}

/** STREAM_LISTPACK_MAX_SIZE: the byte limit when stream-node-max-bytes is 0 or larger. */
const LISTPACK_MAX_SIZE = 1 << 30
/** STREAM_LISTPACK_MAX_PRE_ALLOCATE: a new node's listpack is allocated this big (or stream-node-max-bytes). */
const MAX_PREALLOCATE = 4096

/** stream-node-max-bytes and stream-node-max-entries, as streamAppendItem applies them. */
export interface NodeLimits {
  readonly maxBytes: number
  readonly maxEntries: number
}

/** MEMORY USAGE's default SAMPLES. */
const SAMPLES = 5

export const DEFAULT_NODE_LIMITS: NodeLimits = { maxBytes: 4096, maxEntries: 100 }

/** Bytes a listpack element takes: small integers in their int encodings, other text as a string entry. */
function lpElementBytes(text: string): number {
  if (text.length > 0 && text.length <= 20 && /^-?(0|[1-9]\d*)$/.test(text)) {
    const n = Number(text)
    if (Number.isSafeInteger(n)) {
      const a = n < 0 ? -n - 1 : n
      if (n >= 0 && n < 128) return 2
      if (a < 4096) return 3
      if (a < 32768) return 4
      if (a < 8388608) return 5
      if (a < 2147483648) return 6
      return 10
    }
  }
  const header = text.length < 64 ? 1 : text.length < 4096 ? 2 : 5
  const entry = header + text.length
  return entry + (entry < 128 ? 1 : entry < 16384 ? 2 : 3)
}

function lpIntBytes(n: number): number {
  return lpElementBytes(String(n))
}

/**
 * An entry's fields and values packed into one latin1 string, each element as its decimal length, a comma and its
 * bytes: one string per entry instead of an array of strings (about half the heap), unpacked when read.
 */
function packFields(pairs: string[]): string {
  // join builds one flat string; += would leave a rope of the pieces, which takes more memory than the array.
  const parts: string[] = new Array(pairs.length * 2)
  for (let i = 0; i < pairs.length; i++) {
    parts[2 * i] = `${pairs[i].length},`
    parts[2 * i + 1] = pairs[i]
  }
  return parts.join('')
}

function unpackFields(packed: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < packed.length) {
    const comma = packed.indexOf(',', i)
    const length = Number(packed.slice(i, comma))
    out.push(packed.slice(comma + 1, comma + 1 + length))
    i = comma + 1 + length
  }
  return out
}

/** One packed node: entries in ID order, a deleted entry's fields set to null (its ID stays, as in a listpack). */
export class StreamNode {
  readonly ids: StreamId[] = []
  /** Each entry's packed fields (packFields), null once deleted. */
  readonly fields: Array<string | null> = []
  live = 0
  /** The listpack's estimated size (streamAppendItem compares it with stream-node-max-bytes). */
  bytes: number
  readonly masterFields: string[]
  /** What lpNew preallocated for it (the node's allocation until it outgrows it). */
  preallocated = MAX_PREALLOCATE

  constructor(masterFields: string[]) {
    this.masterFields = masterFields
    // Header and terminator, then the master entry: count, deleted, field count, the fields, a 0 terminator.
    this.bytes = 7 + 2 + 2 + lpIntBytes(masterFields.length) + 2
    for (const f of masterFields) this.bytes += lpElementBytes(f)
  }

  get firstId(): StreamId {
    return this.ids[0]
  }

  get lastId(): StreamId {
    return this.ids[this.ids.length - 1]
  }

  /** Index of the first entry with an ID >= id (ids.length when none). */
  lowerBound(id: StreamId): number {
    let lo = 0
    let hi = this.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ids[mid] < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  append(id: StreamId, pairs: string[]): void {
    // IDs are stored as deltas from the node's first (master) ID.
    const base = this.ids.length === 0 ? id : this.ids[0]
    this.ids.push(id)
    this.fields.push(packFields(pairs))
    this.live++
    // flags, ms delta, seq delta, [field count, fields,] values, lp-count
    let bytes = 2 + lpElementBytes(String(idMs(id) - idMs(base))) + lpElementBytes(String(idSeq(id) - idSeq(base)))
    const same = this.sameFields(pairs)
    let count = 3
    if (!same) {
      bytes += lpIntBytes(pairs.length / 2)
      count++
    }
    for (let i = 0; i < pairs.length; i += 2) {
      if (!same) {
        bytes += lpElementBytes(pairs[i])
        count++
      }
      bytes += lpElementBytes(pairs[i + 1])
      count++
    }
    this.bytes += bytes + lpIntBytes(count)
  }

  private sameFields(pairs: string[]): boolean {
    const master = this.masterFields
    if (master.length * 2 !== pairs.length) return false
    for (let i = 0; i < master.length; i++) if (master[i] !== pairs[2 * i]) return false
    return true
  }
}

/**
 * A sorted map from ID to T: a sorted ID array (appends are the common case) beside a Map keyed by the ID's decimal
 * text (V8 hashes bigint keys so poorly that a Map keyed by them degrades to linear lookups).
 */
export class IdMap<T> {
  private readonly keys: StreamId[] = []
  private readonly values = new Map<string, T>()

  get size(): number {
    return this.keys.length
  }

  get(id: StreamId): T | undefined {
    return this.values.get(id.toString())
  }

  has(id: StreamId): boolean {
    return this.values.has(id.toString())
  }

  /** Inserts; returns false (and changes nothing) when the ID is present. */
  insert(id: StreamId, value: T): boolean {
    const text = id.toString()
    if (this.values.has(text)) return false
    this.values.set(text, value)
    const n = this.keys.length
    if (n === 0 || this.keys[n - 1] < id) this.keys.push(id)
    else this.keys.splice(this.lowerBound(id), 0, id)
    return true
  }

  delete(id: StreamId): boolean {
    if (!this.values.delete(id.toString())) return false
    const at = this.lowerBound(id)
    if (at === 0) this.keys.shift()
    else this.keys.splice(at, 1)
    return true
  }

  lowerBound(id: StreamId): number {
    let lo = 0
    let hi = this.keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keys[mid] < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  keyAt(index: number): StreamId {
    return this.keys[index]
  }

  first(): StreamId | undefined {
    return this.keys[0]
  }

  last(): StreamId | undefined {
    return this.keys[this.keys.length - 1]
  }

  /** Entries with start <= id <= end in order (a snapshot, so the caller may change the map meanwhile). */
  range(start: StreamId, end: StreamId, count = 0): Array<[StreamId, T]> {
    const out: Array<[StreamId, T]> = []
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const id = this.keys[i]
      if (id > end || (count > 0 && out.length >= count)) break
      out.push([id, this.values.get(id.toString()) as T])
    }
    return out
  }
}

export class StreamConsumer {
  /** Pending entries delivered to this consumer, by ID: the same NACK objects as the group's PEL. */
  readonly pel = new IdMap<StreamNack>()

  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

/** A pending entry: delivered, not yet acknowledged. */
export class StreamNack {
  constructor(
    public consumer: StreamConsumer,
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const INVALID_ENTRIES_READ = -1

export class ConsumerGroup {
  readonly pel = new IdMap<StreamNack>()
  readonly consumers = new Map<string, StreamConsumer>()

  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /** Consumers in name order (Redis keeps them in a radix tree). */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }
}

export interface StreamEntry {
  id: StreamId
  fields: string[]
}

export class RedisStream implements AggregateValue {
  readonly redisType = 'stream' as const
  readonly encoding = 'stream'
  /** Nodes in ID order; those before `head` were trimmed and are garbage awaiting compaction. */
  private nodes: StreamNode[] = []
  private head = 0
  /** Allocated bytes of every node but the last (closed nodes are shrunk to fit, as lpShrinkToFit does). */
  private closedAlloc = 0
  /** Live entries. */
  length = 0
  lastId: StreamId = ZERO_ID
  firstId: StreamId = ZERO_ID
  maxDeletedId: StreamId = ZERO_ID
  entriesAdded = 0
  readonly groups = new Map<string, ConsumerGroup>()
  /** The size the database last counted for this value (src/keyspace/database.ts). */
  accounted = 0

  get nodeCount(): number {
    return this.nodes.length - this.head
  }

  /** The first ID of each node, in order (the keys of Redis's radix tree). */
  nodeFirstIds(): StreamId[] {
    const out: StreamId[] = []
    for (let i = this.head; i < this.nodes.length; i++) out.push(this.nodes[i].firstId)
    return out
  }

  /**
   * Visits the nodes in ID order, deleted entries included (an RDB snapshot writes one listpack a node, as they are,
   * so the node boundaries and the tombstones survive a save and load).
   */
  forEachNode(visit: (node: StreamNode) => void): void {
    for (let i = this.head; i < this.nodes.length; i++) visit(this.nodes[i])
  }

  /** Total estimated listpack bytes of the nodes (MEMORY USAGE). */
  get listpackBytes(): number {
    let total = 0
    for (let i = this.head; i < this.nodes.length; i++) total += this.nodes[i].bytes
    return total
  }

  /** Appends an entry whose ID is known to be greater than lastId. `elementBytes`: sum of field and value lengths. */
  append(id: StreamId, pairs: string[], elementBytes: number, limits: NodeLimits = DEFAULT_NODE_LIMITS): void {
    let node = this.nodes.length > this.head ? this.nodes[this.nodes.length - 1] : undefined
    const maxBytes = limits.maxBytes === 0 || limits.maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : limits.maxBytes
    if (
      node &&
      (node.bytes + elementBytes >= maxBytes || (limits.maxEntries && node.ids.length >= limits.maxEntries))
    ) {
      node = undefined
    }
    if (!node) {
      const tail = this.tailNode()
      if (tail) this.closedAlloc += mallocSize(tail.bytes)
      const master: string[] = []
      for (let i = 0; i < pairs.length; i += 2) master.push(pairs[i])
      node = new StreamNode(master)
      if (limits.maxBytes > 0 && limits.maxBytes < MAX_PREALLOCATE) node.preallocated = limits.maxBytes
      this.nodes.push(node)
    }
    node.append(id, pairs)
    if (this.length === 0) this.firstId = id
    this.length++
    this.entriesAdded++
    this.lastId = id
  }

  private tailNode(): StreamNode | undefined {
    return this.nodes.length > this.head ? this.nodes[this.nodes.length - 1] : undefined
  }

  /** Takes the node at `index` out of the memory sums before it is removed. */
  private forgetNode(index: number): void {
    if (index !== this.nodes.length - 1) this.closedAlloc -= mallocSize(this.nodes[index].bytes)
    else if (index - 1 >= this.head) this.closedAlloc -= mallocSize(this.nodes[index - 1].bytes)
  }

  /**
   * What Redis's MEMORY USAGE counts for this stream (objectComputeSize): the robj and stream structs, the radix tree
   * of nodes (16 bytes a key, 244 a rax node), the listpacks (closed ones shrunk to fit, the open one preallocated at
   * 4096 bytes), and per group its struct, PEL tree and NACKs, per consumer its struct, name and PEL tree.
   *
   * `exact` (MEMORY USAGE) counts the radix trees' nodes from their keys, O(nodes + pending entries), and sizes the
   * listpacks from five samples as MEMORY USAGE does by default; otherwise
   * (the accounting on every write) they are estimated at two nodes a key, in O(groups + consumers).
   */
  memoryBytes(exact = false): number {
    const raxBytes = (elements: number, keys?: () => StreamId[]) =>
      elements * 16 + (exact && keys ? radixTreeNodes(keys().map(streamIdKey)) : Math.max(1, 2 * elements)) * 244
    const keys = this.nodes.length - this.head
    const tail = this.tailNode()
    const tailAlloc = tail === undefined ? 0 : mallocSize(Math.max(tail.preallocated, tail.bytes))
    let listpacks = this.closedAlloc + tailAlloc
    if (exact && keys > SAMPLES) {
      // MEMORY USAGE's default sampling: the first five nodes' average stands for all but the last.
      let sampled = 0
      for (let i = 0; i < SAMPLES; i++) sampled += mallocSize(this.nodes[this.head + i].bytes)
      listpacks = Math.floor(sampled / SAMPLES) * (keys - 1) + tailAlloc
    }
    let size = 16 + 80 + raxBytes(keys, () => this.nodeFirstIds()) + listpacks
    const pelKeys = (pel: IdMap<StreamNack>) => () => pel.range(ZERO_ID, MAX_STREAM_ID).map(([id]) => id)
    for (const group of this.groups.values()) {
      size += 40 + raxBytes(group.pel.size, pelKeys(group.pel)) + 24 * group.pel.size
      for (const consumer of group.consumers.values()) {
        size += 24 + consumer.name.length + raxBytes(consumer.pel.size, pelKeys(consumer.pel))
      }
    }
    return size
  }

  /** Index (into nodes) of the node that would hold `id`: the last whose first ID <= id, or head. */
  private nodeIndexFor(id: StreamId): number {
    let lo = this.head
    let hi = this.nodes.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.nodes[mid].firstId <= id) lo = mid + 1
      else hi = mid
    }
    return lo === this.head ? this.head : lo - 1
  }

  get(id: StreamId): string[] | undefined {
    if (this.nodes.length === this.head) return undefined
    const node = this.nodes[this.nodeIndexFor(id)]
    const at = node.lowerBound(id)
    if (at < node.ids.length && node.ids[at] === id) {
      const packed = node.fields[at]
      return packed === null ? undefined : unpackFields(packed)
    }
    return undefined
  }

  /** XDEL of one ID: whether a live entry was deleted. Updates length only (callers keep first/max-deleted IDs). */
  delete(id: StreamId): boolean {
    if (this.nodes.length === this.head) return false
    const index = this.nodeIndexFor(id)
    const node = this.nodes[index]
    const at = node.lowerBound(id)
    if (at >= node.ids.length || node.ids[at] !== id || node.fields[at] === null) return false
    node.fields[at] = null
    node.live--
    this.length--
    if (node.live === 0) {
      this.forgetNode(index)
      if (index === this.head) this.head++
      else this.nodes.splice(index, 1)
      this.compact()
    }
    return true
  }

  /** Visits live entries with start <= id <= end, ascending or descending, until `visit` returns false. */
  forEachInRange(
    start: StreamId,
    end: StreamId,
    reverse: boolean,
    visit: (id: StreamId, fields: string[]) => boolean,
  ): void {
    if (start > end || this.nodes.length === this.head) return
    if (!reverse) {
      const first = this.nodeIndexFor(start)
      for (let n = first; n < this.nodes.length; n++) {
        const node = this.nodes[n]
        for (let i = n === first ? node.lowerBound(start) : 0; i < node.ids.length; i++) {
          const id = node.ids[i]
          if (id > end) return
          const fields = node.fields[i]
          if (fields !== null && !visit(id, unpackFields(fields))) return
        }
      }
    } else {
      const last = this.nodeIndexFor(end)
      for (let n = last; n >= this.head; n--) {
        const node = this.nodes[n]
        let i = node.lowerBound(end)
        if (i >= node.ids.length || node.ids[i] > end) i--
        for (; i >= 0; i--) {
          const id = node.ids[i]
          if (id < start) return
          const fields = node.fields[i]
          if (fields !== null && !visit(id, unpackFields(fields))) return
        }
      }
    }
  }

  /** The first (or last) live entry's ID, or undefined when empty (streamGetEdgeID). */
  edgeId(first: boolean): StreamId | undefined {
    let found: StreamId | undefined
    this.forEachInRange(ZERO_ID, MAX_STREAM_ID, !first, (id) => {
      found = id
      return false
    })
    return found
  }

  /** streamLastValidID: the last live ID, or 0-0 when empty. */
  lastValidId(): StreamId {
    return this.edgeId(false) ?? ZERO_ID
  }

  /** Whether any entry between start and end was deleted, from Redis's summary counters (streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamId | undefined, end: StreamId | undefined): boolean {
    if (this.length === 0 || this.maxDeletedId === ZERO_ID) return false
    if (this.firstId > this.maxDeletedId) return false
    const startId = start ?? ZERO_ID
    const endId = end ?? MAX_STREAM_ID
    // A tombstone lies in range when the largest deleted ID is at or after the start and at or before the end.
    return this.maxDeletedId >= startId && this.maxDeletedId <= endId
  }

  /**
   * streamTrim: removes entries from the head. MAXLEN keeps `maxlen` entries; MINID removes entries below `minId`.
   * Approximate trimming removes whole nodes only; `limit` (0 = none) caps the entries removed. Returns how many.
   */
  trim(strategy: 'maxlen' | 'minid', maxlen: number, minId: StreamId, approx: boolean, limit: number): number {
    let deleted = 0
    while (this.nodes.length > this.head) {
      if (strategy === 'maxlen' && this.length <= maxlen) break
      const node = this.nodes[this.head]
      const entries = node.live
      if (limit && deleted + entries > limit) break
      const removeNode = strategy === 'maxlen' ? this.length - entries >= maxlen : node.lastId < minId
      if (removeNode) {
        this.forgetNode(this.head)
        this.head++
        this.length -= entries
        deleted += entries
        continue
      }
      if (approx) break
      for (let i = 0; i < node.ids.length; i++) {
        const stop = strategy === 'maxlen' ? this.length <= maxlen : node.ids[i] >= minId
        if (stop) break
        if (node.fields[i] !== null) {
          node.fields[i] = null
          node.live--
          this.length--
          deleted++
        }
      }
      break
    }
    this.compact()
    this.firstId = this.length === 0 ? ZERO_ID : (this.edgeId(true) ?? ZERO_ID)
    return deleted
  }

  private compact(): void {
    if (this.head > 32 && this.head * 2 > this.nodes.length) {
      this.nodes = this.nodes.slice(this.head)
      this.head = 0
    }
  }

  /** Groups in name order (Redis keeps them in a radix tree). */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the entries-read value of a group whose last delivered ID is `id`, or
   * INVALID_ENTRIES_READ when it cannot be known.
   */
  estimateDistanceFromFirstEverEntry(id: StreamId): number {
    if (this.entriesAdded === 0) return 0
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded
    if (id === this.lastId) return this.entriesAdded
    if (id > this.lastId) return INVALID_ENTRIES_READ
    if (this.maxDeletedId === ZERO_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length
      if (id === this.firstId) return this.entriesAdded - this.length + 1
    }
    return INVALID_ENTRIES_READ
  }

  /** An independent copy (COPY): entries, counters, groups with their consumers and pending entries. O(n). */
  clone(): RedisStream {
    const copy = new RedisStream()
    for (let n = this.head; n < this.nodes.length; n++) {
      const src = this.nodes[n]
      const node = new StreamNode(src.masterFields)
      node.ids.push(...src.ids)
      node.fields.push(...src.fields)
      node.live = src.live
      node.bytes = src.bytes
      node.preallocated = src.preallocated
      copy.nodes.push(node)
    }
    copy.closedAlloc = this.closedAlloc
    copy.length = this.length
    copy.lastId = this.lastId
    copy.firstId = this.firstId
    copy.maxDeletedId = this.maxDeletedId
    copy.entriesAdded = this.entriesAdded
    for (const group of this.groups.values()) {
      const g = new ConsumerGroup(group.name, group.lastId, group.entriesRead)
      for (const consumer of group.consumers.values()) {
        const c = new StreamConsumer(consumer.name, consumer.seenTime)
        g.consumers.set(c.name, c)
      }
      for (const [id, nack] of group.pel.range(ZERO_ID, MAX_STREAM_ID)) {
        const owner = g.consumers.get(nack.consumer.name) as StreamConsumer
        const n = new StreamNack(owner, nack.deliveryTime, nack.deliveryCount)
        g.pel.insert(id, n)
        owner.pel.insert(id, n)
      }
      copy.groups.set(g.name, g)
    }
    return copy
  }
}

export function isStream(value: unknown): value is RedisStream {
  return value instanceof RedisStream
}
