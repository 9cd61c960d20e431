/**
 * redis.call and redis.pcall: the path from a script to the command table (Redis 7.0's luaRedisGenericCommand and
 * scriptCall).
 *
 *   Lua arguments -> argv            strings as bytes, numbers as "%.17g", anything else an error
 *   resolve in the command table     script-flavoured errors for unknown commands and wrong arity
 *   script restrictions              `noscript` commands, writes from read-only scripts
 *   seam 'script-call'               the simulator may pause the script here (its coroutine yields; the lease holds)
 *   executor.invokeUnderLease        the same executor path as every command, under the script's lease
 *   reply -> Lua                     errors are raised (call) or returned as {err=...} (pcall)
 *
 * In production the seam never pauses and handlers complete synchronously, so a call runs without yielding; when
 * something has to wait, the coroutine yields to the host with a continuation that finishes the call on resume.
 */
import { type LuaKFunction, type LuaState, lua } from 'fengari'
import type { CommandTable } from '../commands/table.ts'
import { type CommandSpec, fullName } from '../commands/types.ts'
import { type Reply, ReplyError } from '../protocol/reply.ts'
import { luaArgsToArgv, pushErrorTable, pushReply } from './conversions.ts'
import { OOM_MESSAGE } from '../engine/oom-messages.ts'
import type { LuaRuntime } from './lua-runtime.ts'
import type { PendingCall, ScriptRun } from './script-run.ts'

const KILLED = 'Script killed by user with SCRIPT KILL...'

/** Raises (call) or returns (pcall) the error table Redis builds for a failure before the command ran. */
function fail(L: LuaState, raise: boolean, message: string, ignoreStats: boolean): number {
  pushErrorTable(L, message, ignoreStats)
  return raise ? lua.lua_error(L) : 1
}

/** Finds the command argv names, as Redis's lookupCommand does for scripts: subcommands included. */
export function resolveScriptCommand(table: CommandTable, argv: Buffer[]): CommandSpec | ReplyError {
  const base = table.get(argv[0].toString('latin1'))
  if (!base) return new ReplyError('Unknown Redis command called from script')
  let spec = base
  if (base.subcommands && argv.length >= 2) {
    const sub = table.getSub(base, argv[1].toString('latin1'))
    if (!sub) return new ReplyError('Unknown Redis command called from script')
    spec = sub
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    return new ReplyError('Wrong number of args calling Redis command from script')
  }
  return spec
}

/** The body of redis.call (raise = true) and redis.pcall (raise = false). */
export function redisCall(runtime: LuaRuntime, L: LuaState, raise: boolean): number {
  const run = runtime.active
  if (!run) return fail(L, true, 'redis.call/pcall can only be called inside a script invocation', false)
  const engine = run.host.engine
  const argc = lua.lua_gettop(L)
  if (argc === 0) return fail(L, raise, 'Please specify at least one argument for this redis lib call', false)
  const argv = luaArgsToArgv(L, argc)
  lua.lua_settop(L, 0)
  if (!argv) return fail(L, raise, 'Lua redis lib command arguments must be strings or integers', false)
  const spec = resolveScriptCommand(engine.executor.table, argv)
  if (spec instanceof ReplyError) return fail(L, raise, spec.message, true)
  if (spec.flags.includes('noscript')) return fail(L, raise, 'This Redis command is not allowed from script', true)
  const writes = spec.flags.includes('write')
  if (run.frame.readOnly && (writes || spec.flags.includes('may_replicate'))) {
    return fail(L, raise, 'Write commands are not allowed from read-only scripts.', true)
  }
  // Over maxmemory since the script started: its first command that may grow memory fails (scriptVerifyOOM).
  if (engine.eviction.refusesScriptCall(spec, run.script.flags, run.frame.wrote)) {
    engine.executor.rejected(new ReplyError(OOM_MESSAGE), fullName(spec))
    return fail(L, raise, `-${OOM_MESSAGE}`, true)
  }
  // From here on the script counts as having written (SCRIPT KILL answers UNKILLABLE), as Redis marks it before the
  // command runs.
  if (writes) run.frame.wrote = true

  if (run.canYield(L)) {
    const pause = engine.seam.point('script-call', run.ctx.client, fullName(spec))
    if (pause) {
      run.call = { spec, argv, raise }
      run.pending = pause
      return lua.lua_yieldk(L, 0, 0, continueAfterPause(runtime))
    }
  }
  return execute(runtime, run, L, spec, argv, raise)
}

function execute(
  runtime: LuaRuntime,
  run: ScriptRun,
  L: LuaState,
  spec: CommandSpec,
  argv: Buffer[],
  raise: boolean,
): number {
  const ctx = run.ctx
  const result = run.host.engine.executor.invokeUnderLease(ctx.lease, ctx.client, spec, argv, 'script', run.frame)
  if (result instanceof Promise) {
    if (!run.canYield(L)) {
      // Nothing can wait here (a metamethod or library callback inside the script). The command still completes;
      // its reply is lost, so say so instead of inventing one.
      result.catch(() => {})
      return fail(L, true, 'This command has to wait, which a script cannot do inside a metamethod or callback', false)
    }
    const call: PendingCall = { spec, argv, raise }
    run.call = call
    run.pending = result.then((reply) => {
      call.reply = reply
    })
    return lua.lua_yieldk(L, 0, 0, continueWithReply(runtime))
  }
  return deliver(run, L, result, raise)
}

/** Hands a command's reply to the script: pushes it, or raises its error for redis.call. */
function deliver(run: ScriptRun, L: LuaState, reply: Reply, raise: boolean): number {
  if (reply instanceof ReplyError) {
    pushErrorTable(L, `-${reply.message}`, true)
    // Mutant pcall-raises-reply-errors (simulation only): redis.pcall raises the command's error too.
    const raises = raise || !run.host.engine.variant.pcallReturnsReplyErrors
    return raises ? lua.lua_error(L) : 1
  }
  pushReply(L, reply, run.resp)
  return 1
}

/** Continuation after the seam let the script go on: run the command now (unless SCRIPT KILL came meanwhile). */
function continueAfterPause(runtime: LuaRuntime): LuaKFunction {
  return (L) => {
    const run = runtime.active!
    const call = run.call!
    run.call = null
    if (run.killed) return fail(L, true, KILLED, false)
    return execute(runtime, run, L, call.spec, call.argv, call.raise)
  }
}

/** Continuation after an asynchronous command completed: deliver its reply. */
function continueWithReply(runtime: LuaRuntime): LuaKFunction {
  return (L) => {
    const run = runtime.active!
    const call = run.call!
    run.call = null
    return deliver(run, L, call.reply ?? null, call.raise)
  }
}
