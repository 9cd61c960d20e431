/**
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE: RDB snapshots through the engine's snapshot store (a file for the server, memory
 * for an in-process engine). The work itself is src/persistence/snapshots.ts; these handlers parse and answer.
 */
import { SAVE_IN_PROGRESS } from '../persistence/snapshots.ts'
import { OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { isOption } from './args.ts'
import type { CommandContext } from './types.ts'

/** SAVE: a synchronous save; a bare `-ERR` when it fails, as Redis answers (the reason is in the log). */
export function save(ctx: CommandContext): Reply {
  const snapshots = ctx.engine.snapshots
  if (snapshots.inProgress) return new ReplyError(SAVE_IN_PROGRESS)
  return snapshots.saveNow() ? OK : new ReplyError('ERR')
}

const BACKGROUND_SAVING_STARTED = new SimpleString('Background saving started')

/**
 * BGSAVE [SCHEDULE]: the snapshot is taken now, under this command's lease, and written in the background. Redis
 * schedules only behind an AOF rewrite, which redsim does not have, so SCHEDULE starts at once as well; behind a
 * running save both forms are refused.
 */
export function bgsave(ctx: CommandContext): Reply {
  if (ctx.argv.length > 1 && !(ctx.argv.length === 2 && isOption(ctx.argv[1], 'SCHEDULE'))) {
    return new ReplyError('ERR syntax error')
  }
  const snapshots = ctx.engine.snapshots
  if (!snapshots.saveInBackground()) return new ReplyError(SAVE_IN_PROGRESS)
  // As with Redis's forked child, a save that fails afterwards is reported in the log and INFO, not in this reply.
  return BACKGROUND_SAVING_STARTED
}

export function lastsave(ctx: CommandContext): Reply {
  return ctx.engine.lastSave
}
