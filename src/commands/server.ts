/** Server commands: INFO, CONFIG, TIME, DBSIZE, FLUSHDB, FLUSHALL, LASTSAVE, SAVE, BGSAVE. */
import { OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { isOption } from './args.ts'
import { configCommand } from './config-command.ts'
import { info } from './info.ts'
import { bgsave, lastsave, save } from './persistence.ts'
import { type CommandContext, command } from './types.ts'

function dbsize(ctx: CommandContext): Reply {
  return ctx.db.size
}

/**
 * The optional [ASYNC|SYNC] of FLUSHDB/FLUSHALL; false (after answering) on anything else. redsim frees memory the
 * same way in both modes, so the choice only has to be validated.
 */
function flushModeValid(ctx: CommandContext): boolean {
  const { argv } = ctx
  return argv.length === 1 || (argv.length === 2 && (isOption(argv[1], 'ASYNC') || isOption(argv[1], 'SYNC')))
}

function flushdb(ctx: CommandContext): Reply {
  if (!flushModeValid(ctx)) return new ReplyError('ERR syntax error')
  ctx.db.flush()
  return OK
}

function flushall(ctx: CommandContext): Reply {
  if (!flushModeValid(ctx)) return new ReplyError('ERR syntax error')
  ctx.engine.keyspace.flushAll()
  return OK
}

/** TIME: [unix seconds, microseconds] from the injected clock, as bulk strings. */
function time(ctx: CommandContext): Reply {
  const micros = ctx.engine.clock.nowMicros()
  return [Buffer.from(String(micros / 1_000_000n)), Buffer.from(String(micros % 1_000_000n))]
}

const FLUSH_CATEGORIES = ['keyspace', 'write', 'slow', 'dangerous']
const SAVE_CATEGORIES = ['admin', 'slow', 'dangerous']

export const serverCommands = [
  command('info', -1, ['loading', 'stale'], null, ['slow', 'dangerous'], info),
  configCommand,
  command('time', 1, ['loading', 'stale', 'fast'], null, ['fast'], time),
  command('dbsize', 1, ['readonly', 'fast'], null, ['keyspace', 'read', 'fast'], dbsize),
  command('flushdb', -1, ['write'], null, FLUSH_CATEGORIES, flushdb),
  command('flushall', -1, ['write'], null, FLUSH_CATEGORIES, flushall),
  command('lastsave', 1, ['loading', 'stale', 'fast'], null, ['admin', 'fast', 'dangerous'], lastsave),
  command('save', 1, ['admin', 'noscript', 'no_async_loading', 'no_multi'], null, SAVE_CATEGORIES, save),
  command('bgsave', -1, ['admin', 'noscript', 'no_async_loading'], null, SAVE_CATEGORIES, bgsave),
]
