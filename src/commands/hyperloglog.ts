/**
 * PFADD, PFCOUNT, PFMERGE (Redis 7.0 hyperloglog.c). A HyperLogLog is a string value in Redis's own format
 * (hll-sketch.ts), so GET, SET and DUMP-style copies of it work as in Redis.
 */
import { markStringEncoding } from '../keyspace/encoding.ts'
import { Errors, OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { hllSelfTest } from './hll-selftest.ts'
import {
  cachedCardinality,
  denseGet,
  describeSparse,
  emptySketch,
  estimate,
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllWorkspace,
  isValidSketch,
  mergeSketch,
  rawHistogram,
  sketchHistogram,
} from './hll-sketch.ts'
import { type CommandContext, command } from './types.ts'
import { NOTIFY_STRING } from '../keyspace/keyspace-events.ts'

const HLL_ADMIN = ['write', 'hyperloglog', 'admin', 'slow', 'dangerous']
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.'
const CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected'

/** isHLLObjectOrReply: a string in the HYLL format, else the matching error. */
function asSketch(value: unknown): Buffer {
  if (!Buffer.isBuffer(value)) throw Errors.wrongType()
  if (!isValidSketch(value)) throw new ReplyError(NOT_HLL)
  return value
}

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.engine.config.getNumber('hll-sparse-max-bytes')
}

function pfadd(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const existing = db.getForWrite(key)
  let updated = 0
  let work: HllWorkspace
  if (existing === undefined) {
    work = new HllWorkspace(emptySketch())
    updated++
  } else {
    work = new HllWorkspace(asSketch(existing))
  }
  const sparseMax = sparseMaxBytes(ctx)
  let corrupted = false
  for (let i = 2; i < argv.length; i++) {
    const result = work.add(argv[i], sparseMax)
    if (result === -1) {
      corrupted = true
      break
    }
    updated += result
  }
  if (updated > 0) {
    work.invalidateCache()
    db.set(key, markStringEncoding(work.toBuffer(), 'raw'), true)
    if (!corrupted) db.notify(NOTIFY_STRING, 'pfadd', key)
  } else if (existing !== undefined) {
    // Redis has unshared the value into a raw string even when nothing changed.
    markStringEncoding(existing as Buffer, 'raw')
  }
  if (corrupted) throw new ReplyError(CORRUPTED)
  return updated > 0 ? 1 : 0
}

function pfcount(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  if (argv.length > 2) {
    // The cardinality of the union, from the registers' maxima; no cache is involved.
    const max = new Uint8Array(HLL_REGISTERS)
    for (let i = 1; i < argv.length; i++) {
      const value = db.get(keyOf(argv, i))
      if (value === undefined) continue
      if (!mergeSketch(asSketch(value), max)) throw new ReplyError(CORRUPTED)
    }
    return estimate(rawHistogram(max))
  }
  const key = keyOf(argv, 1)
  const value = db.get(key)
  if (value === undefined) return 0
  const sketch = asSketch(value)
  const cached = cachedCardinality(sketch)
  if (cached !== null) return cached
  const histogram = sketchHistogram(sketch)
  if (histogram === null) throw new ReplyError(CORRUPTED)
  const card = estimate(histogram)
  // Storing the recomputed cardinality modifies the value: Redis signals it (WATCH sees it) even though PFCOUNT is
  // a read-only command.
  const work = new HllWorkspace(sketch)
  work.setCachedCardinality(card)
  db.set(key, markStringEncoding(work.toBuffer(), 'raw'), true)
  return card
}

function pfmerge(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const max = new Uint8Array(HLL_REGISTERS)
  let useDense = false
  for (let i = 1; i < argv.length; i++) {
    const value = db.get(keyOf(argv, i))
    if (value === undefined) continue
    const sketch = asSketch(value)
    if (sketch[4] === HLL_DENSE) useDense = true
    if (!mergeSketch(sketch, max)) throw new ReplyError(CORRUPTED)
  }
  const key = keyOf(argv, 1)
  const existing = db.getForWrite(key)
  const work = new HllWorkspace(existing === undefined ? emptySketch() : (existing as Buffer))
  if (useDense && !work.toDense()) throw new ReplyError(CORRUPTED)
  const sparseMax = sparseMaxBytes(ctx)
  for (let i = 0; i < HLL_REGISTERS; i++) {
    if (max[i] !== 0) work.setRegister(i, max[i], sparseMax)
  }
  work.invalidateCache()
  db.set(key, markStringEncoding(work.toBuffer(), 'raw'), true)
  // Redis reports a PFMERGE as pfadd: a mass add of elements.
  db.notify(NOTIFY_STRING, 'pfadd', key)
  return OK
}

/**
 * PFDEBUG GETREG|DECODE|ENCODING|TODENSE <key> (Redis 7.0 pfdebugCommand): the key is looked up and type-checked
 * before the subcommand is, so a missing key answers the same whatever the subcommand. GETREG and TODENSE convert a
 * sparse sketch to dense and store it.
 */
function pfdebug(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const subcommand = argv[1].toString('latin1')
  const key = keyOf(argv, 2)
  const existing = db.getForWrite(key)
  if (existing === undefined) return new ReplyError('ERR The specified key does not exist')
  const sketch = markStringEncoding(asSketch(existing), 'raw')
  const toDense = (): HllWorkspace => {
    const work = new HllWorkspace(sketch)
    if (!work.toDense()) throw new ReplyError(CORRUPTED)
    db.set(key, markStringEncoding(work.toBuffer(), 'raw'), true)
    return work
  }
  switch (subcommand.toLowerCase()) {
    case 'getreg': {
      const registers = sketch[4] === HLL_DENSE ? sketch : toDense().toBuffer()
      const out: number[] = new Array(HLL_REGISTERS)
      for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(registers, HLL_HDR_SIZE, i)
      return out
    }
    case 'decode':
      if (sketch[4] !== HLL_SPARSE) return new ReplyError('ERR HLL encoding is not sparse')
      return Buffer.from(describeSparse(sketch), 'latin1')
    case 'encoding':
      return new SimpleString(sketch[4] === HLL_DENSE ? 'dense' : 'sparse')
    case 'todense':
      if (sketch[4] === HLL_DENSE) return 0
      toDense()
      return 1
    default:
      return new ReplyError(`ERR Unknown PFDEBUG subcommand '${subcommand}'`)
  }
}

function pfselftest(ctx: CommandContext): Reply {
  const failure = hllSelfTest(ctx.engine.random, sparseMaxBytes(ctx))
  return failure === null ? OK : new ReplyError(`ERR ${failure}`)
}

export const hyperloglogCommands = [
  command('pfadd', -2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'hyperloglog', 'fast'], pfadd),
  command('pfcount', -2, ['readonly', 'may_replicate'], [1, -1, 1], ['read', 'hyperloglog', 'slow'], pfcount),
  command('pfmerge', -2, ['write', 'denyoom'], [1, -1, 1], ['write', 'hyperloglog', 'slow'], pfmerge),
  command('pfdebug', 3, ['write', 'denyoom', 'admin'], [2, 2, 1], HLL_ADMIN, pfdebug),
  command('pfselftest', 1, ['admin'], null, ['hyperloglog', 'admin', 'slow', 'dangerous'], pfselftest),
]
