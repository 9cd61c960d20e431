/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT and SHUTDOWN. The scripts themselves run in the Lua host
 * (src/scripting/lua-host.ts), under the lease of the command that runs them: the EVAL's own acquisition, or EXEC's
 * when the EVAL was queued in MULTI. Nothing here touches the lock.
 */
import type { Engine } from '../engine/engine.ts'
import { Errors, OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { BUSY_ERROR } from '../scripting/busy.ts'
import { scriptingHost } from '../scripting/lua-host.ts'
import type { CachedScript } from '../scripting/script-cache.ts'
import { isOption, parseInt64 } from './args.ts'
import { type CommandContext, type CommandSpec, command } from './types.ts'

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.'

/** The key count of an EVAL-family argv, or an error reply (Redis's checks, in Redis's order). */
function keyCount(argv: Buffer[]): number | ReplyError {
  const parsed = parseInt64(argv[2])
  if (parsed === null) return Errors.notInteger()
  if (parsed > BigInt(argv.length - 3)) return new ReplyError("ERR Number of keys can't be greater than number of args")
  if (parsed < 0n) return new ReplyError("ERR Number of keys can't be negative")
  return Number(parsed)
}

/** EVAL/EVALSHA key positions for COMMAND GETKEYS and the simulator's recorder: argv[3 .. 3+numkeys). */
function evalKeys(argv: Buffer[]): number[] {
  if (argv.length < 3) return []
  const n = keyCount(argv)
  if (n instanceof ReplyError) return []
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(3 + i)
  return out
}

function lookupSha(ctx: CommandContext): CachedScript | ReplyError {
  const sha = ctx.argv[1]
  if (sha.length !== 40) return new ReplyError(NOSCRIPT)
  return scriptingHost(ctx.engine).cache.get(sha.toString('latin1')) ?? new ReplyError(NOSCRIPT)
}

function runScript(ctx: CommandContext, bySha: boolean, readOnlyCommand: boolean): Reply | Promise<Reply> {
  const numkeys = keyCount(ctx.argv)
  if (numkeys instanceof ReplyError) return numkeys
  const host = scriptingHost(ctx.engine)
  const script = bySha ? lookupSha(ctx) : host.cache.load(ctx.argv[1])
  if (script instanceof ReplyError) return script
  if (readOnlyCommand && script.flags.shebang && !script.flags.noWrites) {
    return new ReplyError('ERR Can not execute a script with write flag using *_ro command.')
  }
  // A script that may write and did not declare allow-oom does not start while memory is over maxmemory.
  const oom = ctx.engine.eviction.refusesScript(script.flags)
  if (oom) return oom
  const keys = ctx.argv.slice(3, 3 + numkeys)
  const args = ctx.argv.slice(3 + numkeys)
  return host.run(ctx, script, keys, args, readOnlyCommand || script.flags.noWrites)
}

// SCRIPT subcommands

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
]

function scriptHelp(): Reply {
  return SCRIPT_HELP.map((line) => new SimpleString(line))
}

function scriptLoad(ctx: CommandContext): Reply {
  const script = scriptingHost(ctx.engine).cache.load(ctx.argv[2])
  return script instanceof ReplyError ? script : script.sha
}

function scriptExists(ctx: CommandContext): Reply {
  const cache = scriptingHost(ctx.engine).cache
  const out: Reply[] = []
  for (let i = 2; i < ctx.argv.length; i++) out.push(cache.get(ctx.argv[i].toString('latin1')) ? 1 : 0)
  return out
}

function scriptFlush(ctx: CommandContext): Reply {
  const { argv } = ctx
  if (argv.length > 3 || (argv.length === 3 && !isOption(argv[2], 'SYNC') && !isOption(argv[2], 'ASYNC'))) {
    return new ReplyError('ERR SCRIPT FLUSH only support SYNC|ASYNC option')
  }
  // ASYNC and SYNC differ only in when Redis frees the memory; the cache is empty afterwards either way.
  scriptingHost(ctx.engine).flush()
  return OK
}

function scriptKill(ctx: CommandContext): Reply {
  return scriptingHost(ctx.engine).busy.kill('eval')
}

function scriptDebug(ctx: CommandContext): Reply {
  const mode = ctx.argv[2]
  if (isOption(mode, 'NO')) return OK
  if (isOption(mode, 'YES') || isOption(mode, 'SYNC')) {
    return new ReplyError('ERR SCRIPT DEBUG YES|SYNC (the Lua debugger) is not supported by redsim')
  }
  return new ReplyError('ERR Use SCRIPT DEBUG YES/SYNC/NO')
}

// SHUTDOWN

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Allowed while a script is busy, but then only with NOSAVE, which
 * stops the script whatever it wrote. SAVE, or configured save points without NOSAVE, write a final snapshot first.
 */
function shutdown(ctx: CommandContext): Reply {
  let nosave = false
  let save = false
  let other = false
  let abort = false
  for (let i = 1; i < ctx.argv.length; i++) {
    const arg = ctx.argv[i]
    if (isOption(arg, 'NOSAVE')) nosave = true
    else if (isOption(arg, 'SAVE')) save = true
    else if (isOption(arg, 'NOW') || isOption(arg, 'FORCE')) other = true
    else if (isOption(arg, 'ABORT')) abort = true
    else return Errors.syntax()
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return Errors.syntax()
  if (abort) return new ReplyError('ERR No shutdown in progress.')
  const host = scriptingHost(ctx.engine)
  if (host.current?.busy && !nosave) return new ReplyError(BUSY_ERROR)
  const force = ctx.argv.some((arg) => isOption(arg, 'FORCE'))
  if (!ctx.engine.snapshots.saveBeforeShutdown(save, nosave, force)) {
    return new ReplyError('ERR Errors trying to SHUTDOWN. Check logs.')
  }
  host.busy.abort('shutdown')
  ctx.engine.logAt('warning', 'User requested shutdown...')
  shutdownEngine(ctx.engine)
  return null
}

/** Stops serving: the server layer's handler when there is one (it closes the listener), else every client is dropped. */
function shutdownEngine(engine: Engine): void {
  engine.logAt('warning', 'Redis is now ready to exit, bye bye...')
  if (engine.onShutdown) {
    engine.onShutdown()
    return
  }
  for (const client of [...engine.clients.values()]) engine.removeClient(client)
}

const SCRIPTING = ['slow', 'scripting']

export const scriptingCommands: CommandSpec[] = [
  command(
    'eval',
    -3,
    ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => runScript(ctx, false, false),
    { getKeys: evalKeys },
  ),
  command(
    'evalsha',
    -3,
    ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => runScript(ctx, true, false),
    { getKeys: evalKeys },
  ),
  command(
    'eval_ro',
    -3,
    ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => runScript(ctx, false, true),
    { getKeys: evalKeys },
  ),
  command(
    'evalsha_ro',
    -3,
    ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => runScript(ctx, true, true),
    { getKeys: evalKeys },
  ),
  command('script', -2, [], null, ['slow'], () => null, {
    subcommands: [
      command('debug', 3, ['noscript'], null, SCRIPTING, scriptDebug),
      command('exists', -3, ['noscript'], null, SCRIPTING, scriptExists),
      command('flush', -2, ['noscript'], null, SCRIPTING, scriptFlush),
      command('help', 2, ['loading', 'stale'], null, SCRIPTING, scriptHelp),
      command('kill', 2, ['noscript', 'allow_busy'], null, SCRIPTING, scriptKill),
      command('load', 3, ['noscript', 'stale'], null, SCRIPTING, scriptLoad),
    ],
  }),
  command(
    'shutdown',
    -1,
    ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    null,
    ['admin', 'slow', 'dangerous'],
    shutdown,
  ),
]
