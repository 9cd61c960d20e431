/**
 * DUMP and RESTORE: a key's value in Redis's serialized format (src/persistence/dump-payload.ts), so a payload moves
 * between redsim and redis-server in either direction.
 */
import { stampFromIdle } from '../persistence/rdb-file.ts'
import { RdbError } from '../persistence/rdb-format.ts'
import { createDumpPayload, readDumpPayload, verifyDumpPayload } from '../persistence/dump-payload.ts'
import { encodingLimits } from '../persistence/rdb-values.ts'
import { OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { integerArg, isOption, keyOf, syntaxError } from './args.ts'
import { type CommandContext, command } from './types.ts'

function dump(ctx: CommandContext): Reply {
  const value = ctx.db.get(keyOf(ctx.argv, 1))
  if (value === undefined) return null
  try {
    return createDumpPayload(value, ctx.engine.config.get('rdbcompression') === 'yes')
  } catch (err) {
    // A type the RDB codec does not write yet: say so rather than answer with an internal error.
    if (err instanceof RdbError) return new ReplyError(`ERR ${err.message}`)
    throw err
  }
}

const BUSYKEY = new ReplyError('BUSYKEY Target key name already exists.')

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked in Redis's order. */
function restore(ctx: CommandContext): Reply {
  const { argv, db, engine } = ctx
  let replace = false
  let absttl = false
  let idle = -1
  let freq = -1
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1
    if (isOption(argv[j], 'REPLACE')) replace = true
    else if (isOption(argv[j], 'ABSTTL')) absttl = true
    else if (isOption(argv[j], 'IDLETIME') && additional >= 1 && freq === -1) {
      idle = integerArg(argv[++j])
      if (idle < 0) return new ReplyError('ERR Invalid IDLETIME value, must be >= 0')
    } else if (isOption(argv[j], 'FREQ') && additional >= 1 && idle === -1) {
      freq = integerArg(argv[++j])
      if (freq < 0 || freq > 255) return new ReplyError('ERR Invalid FREQ value, must be >= 0 and <= 255')
    } else {
      return syntaxError()
    }
  }
  const key = keyOf(argv, 1)
  if (!replace && db.getForWrite(key) !== undefined) return BUSYKEY
  let ttl = integerArg(argv[2])
  if (ttl < 0) return new ReplyError('ERR Invalid TTL value, must be >= 0')
  if (!verifyDumpPayload(argv[3])) return new ReplyError('ERR DUMP payload version or checksum are wrong')
  let value: ReturnType<typeof readDumpPayload>
  try {
    value = readDumpPayload(argv[3], encodingLimits(engine.config))
  } catch (err) {
    if (!(err instanceof RdbError)) throw err
    if (err.kind === 'unsupported') return new ReplyError(`ERR ${err.message}`)
    return new ReplyError('ERR Bad data format')
  }
  if (replace) db.delete(key)
  const now = engine.clock.now()
  if (ttl > 0 && !absttl) ttl += now
  // Already expired: nothing is stored (an old value was still replaced, i.e. deleted).
  if (ttl > 0 && ttl <= now) return OK
  db.set(key, value)
  if (ttl > 0) db.setExpire(key, ttl)
  const access = engine.keyspace.access
  if (access.lfu) {
    if (freq >= 0) db.table.stampKey(key, ((Math.floor(access.now / 60000) & 65535) << 8) | freq)
  } else if (idle >= 0) {
    db.table.stampKey(key, stampFromIdle(access.lruClock(), idle))
  }
  return OK
}

export const dumpRestoreCommands = [
  command('dump', 2, ['readonly'], [1, 1, 1], ['keyspace', 'read', 'slow'], dump),
  command('restore', -4, ['write', 'denyoom'], [1, 1, 1], ['keyspace', 'write', 'slow', 'dangerous'], restore),
]
