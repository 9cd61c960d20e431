/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH. EXEC runs its queued commands under the lease it acquired as a client
 * command, one `runUnderLease` per queued command with an 'exec-step' seam point before each: no other client's
 * command can run in between, because nobody else can hold the lock.
 */
import type { QueuedCommand } from '../engine/client.ts'
import { unwatchAll } from '../keyspace/watch.ts'
import { NIL_ARRAY, OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { type CommandContext, command } from './types.ts'

function multi(ctx: CommandContext): Reply {
  if (ctx.client.multi) return new ReplyError('ERR MULTI calls can not be nested')
  ctx.client.multi = { queue: [], aborted: false }
  return OK
}

function discard(ctx: CommandContext): Reply {
  if (!ctx.client.multi) return new ReplyError('ERR DISCARD without MULTI')
  ctx.client.multi = null
  unwatchAll(ctx.engine.keyspace, ctx.client)
  return OK
}

/** True when a watched key was touched, or expired since it was watched (Redis 7.0's isWatchedKeyExpired). */
function watchBroken(ctx: CommandContext): boolean {
  const { client, engine } = ctx
  if (client.dirtyCas) return true
  for (const w of client.watched) {
    if (!w.expiredAtWatch && engine.keyspace.db(w.db).isLogicallyExpired(w.key)) return true
  }
  return false
}

async function exec(ctx: CommandContext): Promise<Reply> {
  const { client, engine } = ctx
  const state = client.multi
  if (!state) return new ReplyError('ERR EXEC without MULTI')
  client.multi = null
  if (state.aborted) {
    unwatchAll(engine.keyspace, client)
    return new ReplyError('EXECABORT Transaction discarded because of previous errors.')
  }
  if (watchBroken(ctx)) {
    unwatchAll(engine.keyspace, client)
    return NIL_ARRAY
  }
  // Watches end when EXEC starts: the transaction's own writes must not abort it.
  unwatchAll(engine.keyspace, client)
  // Mutant exec-unlocked (simulation only, see src/engine/variant.ts): EXEC gives up its lease and each queued command
  // takes the lock by itself, so other clients can run between them. The correct executor never takes this branch.
  const holdLease = engine.variant.execHoldsLease
  if (!holdLease) ctx.lease.release()
  // Expiry is judged at EXEC's start for the whole transaction (Redis 7.0's call() fixes server.mstime for nested
  // calls): a key cannot expire between two queued commands, even when the clock moves while EXEC pauses at a seam.
  const frozen = engine.expiryTimeFrozenAt
  if (holdLease) engine.expiryTimeFrozenAt ??= engine.clock.now()
  try {
    return await runQueued(ctx, state.queue, holdLease)
  } finally {
    engine.expiryTimeFrozenAt = frozen
  }
}

/** Runs EXEC's queued commands in order, each under EXEC's lease (or, for the exec-unlocked mutant, its own). */
async function runQueued(ctx: CommandContext, queue: QueuedCommand[], holdLease: boolean): Promise<Reply[]> {
  const { client, engine } = ctx
  const replies: Reply[] = []
  const executor = engine.executor
  for (const queued of queue) {
    const step = engine.seam.point('exec-step', client, queued.argv[0].toString('latin1'))
    if (step) await step
    // Queued commands were resolved at queue time; resolve again in case SCRIPT/CONFIG state changed nothing of it.
    const resolved = executor.table.resolve(queued.argv)
    if ('error' in resolved) {
      replies.push(resolved.error)
      continue
    }
    if (holdLease) {
      const reply = await executor.runUnderLease(ctx.lease, client, resolved.spec, queued.argv, 'exec', null)
      replies.push(reply)
      // Mutant exec-stops-at-error (simulation only): the rest of the queue is dropped after a run-time error.
      if (reply instanceof ReplyError && !engine.variant.execRunsPastErrors) break
      continue
    }
    const own = await executor.acquire(client)
    try {
      replies.push(await executor.runUnderLease(own, client, resolved.spec, queued.argv, 'exec', null))
    } finally {
      own.release()
    }
  }
  return replies
}

function watch(ctx: CommandContext): Reply {
  const { client, engine } = ctx
  if (client.multi) return new ReplyError('ERR WATCH inside MULTI is not allowed')
  const dbIndex = client.db
  const db = engine.keyspace.db(dbIndex)
  for (let i = 1; i < ctx.argv.length; i++) {
    const key = keyOf(ctx.argv, i)
    if (client.watched.some((w) => w.db === dbIndex && w.key === key)) continue
    client.watched.push({ db: dbIndex, key, expiredAtWatch: db.isLogicallyExpired(key) })
    let set = db.watchers.get(key)
    if (!set) db.watchers.set(key, (set = new Set()))
    set.add(client)
  }
  return OK
}

function unwatch(ctx: CommandContext): Reply {
  unwatchAll(ctx.engine.keyspace, ctx.client)
  return OK
}

export const transactionCommands = [
  command('multi', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], null, ['fast', 'transaction'], multi),
  command('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], null, ['slow', 'transaction'], exec),
  command('discard', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], null, ['fast', 'transaction'], discard),
  command(
    'watch',
    -2,
    ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    [1, -1, 1],
    ['fast', 'transaction'],
    watch,
  ),
  command('unwatch', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], null, ['fast', 'transaction'], unwatch),
]
