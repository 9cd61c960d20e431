/**
 * SAVE, BGSAVE and LASTSAVE without persistence. redsim keeps data in memory only; these commands answer as an idle
 * redis-server does and move the last-save time, so clients that checkpoint (or poll LASTSAVE after BGSAVE) work.
 */
import type { Engine } from '../engine/engine.ts'
import { OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { isOption } from './args.ts'
import type { CommandContext } from './types.ts'

export interface PersistenceState {
  /** Completed saves of either kind (INFO rdb_saves). */
  saves: number
  backgroundSaves: number
}

const states = new WeakMap<Engine, PersistenceState>()

export function persistenceState(engine: Engine): PersistenceState {
  let state = states.get(engine)
  if (!state) {
    state = { saves: 0, backgroundSaves: 0 }
    states.set(engine, state)
  }
  return state
}

function recordSave(engine: Engine): PersistenceState {
  const state = persistenceState(engine)
  state.saves++
  engine.lastSave = Math.floor(engine.clock.now() / 1000)
  return state
}

export function save(ctx: CommandContext): Reply {
  recordSave(ctx.engine)
  return OK
}

const BACKGROUND_SAVING_STARTED = new SimpleString('Background saving started')

/** BGSAVE [SCHEDULE]: nothing is ever in progress in redsim, so both forms start (and finish) a save at once. */
export function bgsave(ctx: CommandContext): Reply {
  if (ctx.argv.length > 1 && !(ctx.argv.length === 2 && isOption(ctx.argv[1], 'SCHEDULE'))) {
    return new ReplyError('ERR syntax error')
  }
  recordSave(ctx.engine).backgroundSaves++
  return BACKGROUND_SAVING_STARTED
}

export function lastsave(ctx: CommandContext): Reply {
  return ctx.engine.lastSave
}
